// AAR's own JavaScript: only what htmx cannot do. Loaded with `defer`; no inline scripts (CSP).
"use strict";

(function () {
  // --- Nobody's typed text is lost ---------------------------------------------------------
  // Every textarea with data-draft-key keeps a copy of what is typed in localStorage until
  // the server confirms a save. After a reload or a dropped connection, the unsaved copy is
  // put back and saved again.
  const PREFIX = "aar-draft:";

  function draftKey(el) {
    return PREFIX + el.dataset.draftKey;
  }

  function remember(el) {
    try {
      localStorage.setItem(draftKey(el), JSON.stringify({ text: el.value, at: Date.now() }));
    } catch (e) {
      /* storage full or disabled: the server copy is all we have */
    }
  }

  function forget(el) {
    try {
      localStorage.removeItem(draftKey(el));
    } catch (e) {
      /* ignore */
    }
  }

  function restore(el) {
    let saved = null;
    try {
      saved = JSON.parse(localStorage.getItem(draftKey(el)) || "null");
    } catch (e) {
      saved = null;
    }
    if (!saved || typeof saved.text !== "string") return;
    if (saved.text === el.value) {
      forget(el);
      return;
    }
    el.value = saved.text;
    const note = document.createElement("p");
    note.className = "alert warn restored";
    note.setAttribute("role", "status");
    note.textContent = "Your unsaved text from before was put back. It is being saved now.";
    el.insertAdjacentElement("beforebegin", note);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function watchDrafts(root) {
    root.querySelectorAll("textarea[data-draft-key]").forEach(function (el) {
      if (el.dataset.draftWatched) return;
      el.dataset.draftWatched = "1";
      restore(el);
      el.addEventListener("input", function () {
        remember(el);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    watchDrafts(document);
  });
  document.addEventListener("htmx:load", function (event) {
    watchDrafts(event.target);
  });

  // A save the server accepted clears the local copy; a failed one keeps it and says so.
  document.addEventListener("htmx:afterRequest", function (event) {
    const source = event.detail.elt;
    if (!source || !source.matches || !source.matches("textarea[data-draft-key]")) return;
    if (event.detail.successful) {
      if (source.value === (JSON.parse(localStorage.getItem(draftKey(source)) || "{}").text || source.value)) {
        forget(source);
      }
    } else if (!event.detail.xhr || event.detail.xhr.status === 0) {
      const state = document.getElementById("save-state");
      if (state) {
        const p = state.querySelector(".saved-state") || document.createElement("p");
        p.className = "saved-state failed";
        p.textContent = "Not saved: the connection dropped. Your text is kept here and will be saved when you type again.";
        if (!p.parentNode) state.appendChild(p);
      }
    }
  });
  // htmx swaps 4xx answers too when they carry the fragment that explains them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // A plain form submission of a form with drafts: the server has the text now.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches || !form.matches("form")) return;
    if (form.dataset.confirmed !== "1") {
      const button = event.submitter;
      const question = (button && button.dataset.confirm) || form.dataset.confirm;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        return;
      }
    }
    form.querySelectorAll("textarea[data-draft-key]").forEach(function (el) {
      el.dataset.submitted = "1";
    });
  });

  // --- The review form: fields by kind, a suggested meeting date -------------------------------
  function syncKind(form) {
    const kind = form.querySelector("[name=kind]");
    if (!kind) return;
    form.querySelectorAll("[data-kind-only]").forEach(function (box) {
      box.classList.toggle("hidden", box.dataset.kindOnly !== kind.value);
    });
  }

  function suggestMeeting(form) {
    const meeting = form.querySelector("[name=scheduled_at]");
    const started = form.querySelector("[name=event_started_at]");
    const detected = form.querySelector("[name=event_detected_at]");
    if (!meeting || meeting.value) return;
    const source = (started && started.value) || (detected && detected.value);
    if (!source) return;
    const day = new Date(source.slice(0, 10) + "T10:00");
    if (isNaN(day.getTime())) return;
    day.setDate(day.getDate() + 7);
    const pad = (n) => String(n).padStart(2, "0");
    meeting.value = day.getFullYear() + "-" + pad(day.getMonth() + 1) + "-" + pad(day.getDate()) + "T10:00";
    meeting.classList.add("suggested");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-review-form]").forEach(function (form) {
      syncKind(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "kind") syncKind(form);
        if (event.target.name === "event_started_at" || event.target.name === "event_detected_at") suggestMeeting(form);
      });
    });
    // The dashboard: choosing a date means a custom period.
    document.querySelectorAll("form[data-period-form]").forEach(function (form) {
      form.addEventListener("change", function (event) {
        if (event.target.name === "since" || event.target.name === "until") form.elements.period.value = "custom";
      });
    });
  });
})();

// --- The live meeting ---------------------------------------------------------------------------
(function () {
  const root = document.getElementById("meeting");
  if (!root) return;
  const FRAGMENT_IDS = ["m-state", "m-phase", "m-capture", "m-suggestions", "m-accounts"];
  let version = root.dataset.version || "";
  const hashes = {};
  (root.dataset.hashes || "").split(",").forEach(function (pair) {
    const i = pair.indexOf(":");
    if (i > 0) hashes[pair.slice(0, i)] = pair.slice(i + 1);
  });
  function csrfToken() {
    const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  // --- The clock: server time, corrected for the browser's clock --------------------------------
  let clock = null;
  function readClock() {
    const el = document.querySelector("#m-state .clock");
    if (!el) {
      clock = null;
      return;
    }
    clock = {
      el: el,
      remaining: parseInt(el.dataset.remaining, 10),
      running: el.dataset.running === "1",
      at: performance.now(),
    };
    tick();
  }
  function pad(n) {
    return String(n).padStart(2, "0");
  }
  function format(seconds) {
    const s = Math.abs(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
  }
  function tick() {
    if (!clock) return;
    const passed = clock.running ? Math.floor((performance.now() - clock.at) / 1000) : 0;
    const left = clock.remaining - passed;
    clock.el.classList.toggle("clock-amber", left >= 0 && left <= 120);
    clock.el.classList.toggle("clock-over", left < 0);
    clock.el.classList.toggle("clock-ok", left > 120);
    clock.el.textContent = left >= 0 ? format(left) + " left" : "+" + format(left) + " over";
  }
  setInterval(tick, 250);

  // --- Placing fragments: never over what someone is typing --------------------------------------
  function busy(el) {
    const active = document.activeElement;
    if (active && el.contains(active) && active.matches("input, textarea, select")) return true;
    if (el.querySelector("[data-dirty]")) return true;
    if (el.querySelector("details.edit[open]")) return true;
    return false;
  }
  function apply(html, response) {
    const newHashes = {};
    (response.headers.get("X-AAR-Hashes") || "").split(",").forEach(function (pair) {
      const i = pair.indexOf(":");
      if (i > 0) newHashes[pair.slice(0, i)] = pair.slice(i + 1);
    });
    const holder = document.createElement("template");
    holder.innerHTML = html;
    let skipped = false;
    Array.from(holder.content.children).forEach(function (node) {
      if (!node.id || FRAGMENT_IDS.indexOf(node.id) < 0) return;
      const old = document.getElementById(node.id);
      if (!old) return;
      if (busy(old) && !node.querySelector(".conflict")) {
        skipped = true; // the next poll brings it again, once the person is done
        return;
      }
      old.replaceWith(node);
      if (window.htmx) window.htmx.process(node);
      if (newHashes[node.id]) hashes[node.id] = newHashes[node.id];
      if (node.id === "m-state") readClock();
    });
    Object.keys(newHashes).forEach(function (id) {
      if (!holder.content.getElementById(id) && !skipped) hashes[id] = newHashes[id];
    });
    const v = response.headers.get("X-AAR-Version");
    if (v && !skipped) version = v;
  }

  // --- The poll: every 2 s while the tab is visible; 304 when nothing changed ---------------------
  let polling = false;
  function poll() {
    if (polling || document.hidden) return;
    polling = true;
    const base = root.dataset.poll;
    const query = "v=" + encodeURIComponent(version) + "&h=" + encodeURIComponent(
      Object.keys(hashes).map(function (k) { return k + ":" + hashes[k]; }).join(","));
    fetch(base + (base.indexOf("?") >= 0 ? "&" : "?") + query, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.status === 200) return response.text().then(function (html) { apply(html, response); });
        return null;
      })
      .catch(function () { /* offline for a moment: the next poll catches up */ })
      .finally(function () { polling = false; });
  }
  setInterval(poll, 2000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) poll();
  });

  // --- Meeting forms: posted in the background, the answer placed by fragment ---------------------
  root.addEventListener("input", function (event) {
    if (event.target.matches("input, textarea, select")) event.target.setAttribute("data-dirty", "1");
  });
  root.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("form[data-meeting-form]")) return;
    event.preventDefault();
    const button = event.submitter;
    const question = button && button.dataset.confirm;
    if (question && !window.confirm(question)) return;
    const data = new FormData(form);
    if (button && button.name) data.append(button.name, button.value);
    if (button) button.disabled = true;
    fetch(form.action + (window.location.pathname.indexOf("/presenter/") >= 0 ? "?presenter=1" : ""), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
    })
      .then(function (response) {
        return response.text().then(function (html) {
          if (response.ok) {
            form.querySelectorAll("[data-dirty]").forEach(function (el) { el.removeAttribute("data-dirty"); });
            form.querySelectorAll("textarea[data-draft-key], input[data-draft-key]").forEach(function (el) {
              try { localStorage.removeItem("aar-draft:" + el.dataset.draftKey); } catch (e) { /* ignore */ }
            });
            const details = form.closest("details.edit");
            if (details) details.open = false;
            if (form.hasAttribute("data-reset")) form.reset();
          } else if (response.status === 409) {
            // A conflict: the answer shows both texts; this person's text is kept in it.
            form.querySelectorAll("[data-dirty]").forEach(function (el) { el.removeAttribute("data-dirty"); });
            const details = form.closest("details.edit");
            if (details) details.open = false;
          }
          apply(html, response);
        });
      })
      .catch(function () {
        const note = document.createElement("p");
        note.className = "alert error";
        note.setAttribute("role", "alert");
        note.textContent = "Not sent: the connection dropped. Your text is still here; try again.";
        form.appendChild(note);
      })
      .finally(function () {
        if (button) button.disabled = false;
      });
  });

  // --- Keyboard shortcuts for the facilitator -------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.matches && event.target.matches("input, textarea, select, [contenteditable]")) return;
    const button = document.querySelector('#m-state button[data-key="' + event.key.toLowerCase() + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });

  readClock();
})();
