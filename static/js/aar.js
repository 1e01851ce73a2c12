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

  // Our 400 and 409 answers are forms shown again with their errors, swapped in place (the
  // htmx-config meta's responseHandling). Under DEBUG, django-htmx's script would replace the
  // whole page with them; it listens on the document as the event bubbles, so the event
  // stops here, on its way down, and htmx goes on with the swap.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    const status = event.detail.xhr && event.detail.xhr.status;
    if (status === 400 || status === 409) event.stopPropagation();
  }, true);

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
    // On a phone the top bar's links fold behind "Menu".
    const toggle = document.querySelector(".menu-toggle");
    if (toggle) {
      document.documentElement.classList.add("has-menu");
      toggle.addEventListener("click", function () {
        const open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        toggle.closest(".topbar").classList.toggle("open", open);
      });
    }
    // A form that came back with problems: the summary of them takes the focus.
    const summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
    // A "tick every row" box ticks the page's boxes of the name it names.
    document.querySelectorAll("input[data-select-all]").forEach(function (all) {
      all.addEventListener("change", function () {
        const form = all.form;
        if (!form) return;
        form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.selectAll + '"]').forEach(function (box) {
          box.checked = all.checked;
        });
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
// The page follows the review through htmx: #m-live asks for changes (every few seconds while
// no push stream is open, at once when the stream says the review moved), and the answers'
// fragments are swapped by id (hx-swap-oob). What is left here: the clock, announcing what
// changed, keeping what someone is typing, and putting the focus back after a swap.
(function () {
  const root = document.getElementById("meeting");
  if (!root || !window.htmx) return;
  const live = document.getElementById("m-live");
  const status = document.getElementById("m-status");
  const amber = parseInt(root.dataset.amber, 10) || 0;
  const safety = parseInt(root.dataset.safetyMs, 10);
  let askedAt = performance.now();
  let streamOpen = false;
  let behind = false; // a fragment was kept back while someone typed in it: keep polling
  let heldNow = false;
  let sender = null; // the form whose answer is being placed

  function say(text) {
    if (!status || !text) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // --- The clock: server time, counted down here ------------------------------------------------
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
      warned: false,
      over: false,
    };
    const left = clock.remaining;
    clock.warned = left <= amber; // only a crossing is announced, not a state the page opened in
    clock.over = left < 0;
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
    clock.el.classList.toggle("clock-amber", left >= 0 && left <= amber);
    clock.el.classList.toggle("clock-over", left < 0);
    clock.el.classList.toggle("clock-ok", left > amber);
    clock.el.textContent = left >= 0 ? format(left) + " left" : "+" + format(left) + " over";
    const phase = document.getElementById("m-state").dataset.phase;
    if (!clock.warned && left <= amber && left >= 0) {
      clock.warned = true;
      say(Math.ceil(left / 60) + " minutes left in " + phase + ".");
    }
    if (!clock.over && left < 0) {
      clock.over = true;
      say(phase + " is over time.");
    }
  }
  setInterval(tick, 250);

  // --- Asking for changes ---------------------------------------------------------------------
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt === live) event.detail.parameters.v = root.dataset.version;
  });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== live) return;
    const trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    const kind = trigger ? trigger.type : "timer";
    if (document.hidden) {
      event.preventDefault(); // a hidden tab asks nothing; it asks at once when shown again
    } else if (kind === "sse:changed") {
      let told = 0;
      try {
        told = JSON.parse(trigger.detail.data).v;
      } catch (e) {
        told = 0;
      }
      if (told <= parseInt(root.dataset.version, 10) && !behind) event.preventDefault();
    } else if (kind === "timer" && streamOpen && !behind && performance.now() - askedAt < safety) {
      event.preventDefault(); // the stream tells us when something changed
    }
    if (!event.defaultPrevented) askedAt = performance.now();
  });
  // The control someone used (htmx disables it while the request runs, which drops the focus):
  // the focus goes back to its successor in the fragment that replaces it.
  let focusSent = null;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (elt === live || !root.contains(elt)) return;
    const active = document.activeElement;
    focusSent = active && elt.contains(active) ? focusKey(active) : null;
  });
  // A change pushed with its fragments (sse-swap on #m-push): placed like a poll's answer.
  root.addEventListener("htmx:sseBeforeMessage", function (event) {
    if (event.target.id !== "m-push") return;
    heldNow = false;
    sender = null;
  });
  root.addEventListener("htmx:sseMessage", function (event) {
    if (event.target.id !== "m-push") return;
    const v = parseInt(event.detail.lastEventId, 10);
    if (heldNow) behind = true;
    else if (v > parseInt(root.dataset.version, 10)) {
      behind = false;
      root.dataset.version = String(v);
    }
    heldNow = false;
  });
  root.dataset.live = "poll";
  root.addEventListener("htmx:sseOpen", function () {
    streamOpen = true;
    root.dataset.live = "push";
  });
  root.addEventListener("htmx:sseError", function () {
    if (!streamOpen) return;
    streamOpen = false;
    root.dataset.live = "poll";
    htmx.trigger(live, "aar:poll"); // the stream dropped: catch up now, then poll until it is back
  });

  // --- Placing fragments: never over what someone is typing -------------------------------------
  function outside(node, except) {
    return !(except && except.contains(node));
  }
  function busy(el, except) {
    const active = document.activeElement;
    if (active && el.contains(active) && active.matches("input, textarea, select") && outside(active, except)) return true;
    if (Array.from(el.querySelectorAll("[data-dirty]")).some(function (d) { return outside(d, except); })) return true;
    return Array.from(el.querySelectorAll("details.edit[open]")).some(function (d) {
      return !(except && d.contains(except));
    });
  }
  let focusWas = null;
  function focusKey(el) {
    const form = el.form || el.closest("form");
    return {
      action: form ? form.getAttribute("action") : null,
      name: el.getAttribute("name"),
      value: el.tagName === "BUTTON" ? el.value : null,
      key: el.dataset.key || null,
    };
  }
  function refocus(fragment) {
    const was = focusWas;
    focusWas = null;
    if (!was || !fragment) return;
    const candidates = Array.from(fragment.querySelectorAll("button, input, select, textarea, a[href]"));
    const same = candidates.find(function (el) {
      const k = focusKey(el);
      return k.action === was.action && k.name === was.name && k.value === was.value;
    }) || (was.key && candidates.find(function (el) { return el.dataset.key === was.key; }));
    const target = same && !same.disabled ? same : fragment;
    if (target === fragment) fragment.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }

  // --- Idle: the page tells the room when its person is away (hidden, or untouched) -----------
  const hereUrl = root.dataset.hereUrl;
  const IDLE_AFTER_MS = 3 * 60 * 1000;
  let idleSent = false;
  let lastInput = Date.now();
  function sendIdle(idle) {
    if (!hereUrl || idle === idleSent) return;
    idleSent = idle;
    let token = "";
    try {
      token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      token = "";
    }
    fetch(hereUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded" },
      body: "idle=" + (idle ? "1" : "0"),
    }).catch(function () { idleSent = !idle; }); // not sent: try again at the next change
  }
  ["pointerdown", "keydown", "scroll", "mousemove", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () {
      lastInput = Date.now();
      if (idleSent && !document.hidden) sendIdle(false);
    }, { passive: true });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) sendIdle(true);
    else {
      lastInput = Date.now();
      sendIdle(false);
    }
  });
  setInterval(function () {
    if (!idleSent && Date.now() - lastInput > IDLE_AFTER_MS) sendIdle(true);
  }, 15000);

  // --- The room: this page's own hand and answer, and whether this window runs the meeting ---
  function applyRoom() {
    const room = document.getElementById("m-room");
    if (!room) return;
    const me = root.dataset.me;
    const mine = function (list) { return (list || "").split(" ").indexOf(me) !== -1; };
    const hand = room.querySelector('button[data-room="hand"]');
    if (hand) {
      const up = mine(room.dataset.hands);
      hand.value = up ? "0" : "1";
      hand.textContent = up ? "Lower my hand" : "Raise hand";
      hand.classList.toggle("pressed", up);
    }
    const ready = room.querySelector('button[data-room="ready"]');
    if (ready) {
      const yes = mine(room.dataset.ready);
      ready.value = yes ? "0" : "1";
      ready.textContent = yes ? "Not ready after all" : "I'm ready";
      ready.classList.toggle("primary", !yes);
    }
    const controller = room.dataset.controller;
    root.classList.toggle("elsewhere", Boolean(controller && root.dataset.window && controller !== root.dataset.window));
  }
  applyRoom();

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    heldNow = false;
    const elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    const code = event.detail.xhr.status;
    sender = elt && elt.tagName === "FORM" && root.contains(elt) && (code < 400 || code === 409) ? elt : null;
    if (sender) {
      sender.querySelectorAll("[data-dirty]").forEach(function (d) { d.removeAttribute("data-dirty"); });
    }
    if (sender && code < 400) {
      // The server has the text now: the local copy goes before the fresh form arrives.
      sender.querySelectorAll("[data-draft-key]").forEach(function (el) {
        try { localStorage.removeItem("aar-draft:" + el.dataset.draftKey); } catch (e) { /* ignore */ }
      });
    }
  });
  let stateWas = null;
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    const target = event.detail.target;
    if (!target || !root.contains(target)) return;
    const incoming = event.detail.fragment;
    const conflict = incoming && incoming.querySelector && incoming.querySelector(".conflict");
    if (busy(target, sender) && !conflict) {
      event.detail.shouldSwap = false; // the next answer brings it again, once the person is done
      heldNow = true;
      return;
    }
    const active = document.activeElement;
    if (active && active !== document.body && target.contains(active)) {
      focusWas = focusKey(active);
    } else if (focusSent && (!active || active === document.body) && sender && target.contains(sender)) {
      focusWas = focusSent;
    }
    if (target.id === "m-state") stateWas = Object.assign({}, target.dataset);
  });
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    const id = event.detail.target && event.detail.target.id;
    const fresh = id && document.getElementById(id);
    if (!fresh || !root.contains(fresh)) return;
    if (id === "m-state") {
      readClock();
      announce(stateWas, fresh.dataset);
      stateWas = null;
    }
    refocus(fresh);
    if (id === "m-room") applyRoom(); // after the focus found its button by the value it had
  });
  function announce(was, now) {
    if (!was) return;
    if (now.ended && !was.ended) return say("The meeting has ended.");
    const parts = [];
    if (now.phase && now.phase !== was.phase) {
      // "Phase 3 of 6: Root cause, 20 minutes."
      parts.push((now.phasePlace ? now.phasePlace + ": " : "Now: ") + now.phase + (now.phaseMinutes ? ", " + now.phaseMinutes + " minutes." : "."));
    }
    else if (now.paused && !was.paused) parts.push("The meeting is paused.");
    else if (!now.paused && was.paused) parts.push("The meeting continues.");
    if (now.revealed && !was.revealed) parts.push("The accounts are revealed.");
    say(parts.join(" "));
  }
  document.body.addEventListener("htmx:afterRequest", function (event) {
    const elt = event.detail.elt;
    const xhr = event.detail.xhr;
    if (!elt || !root.contains(elt) || !xhr) return;
    if (heldNow) behind = true;
    const v = parseInt(xhr.getResponseHeader("X-AAR-Version") || "", 10);
    if (!heldNow && v > 0 && xhr.status !== 304) {
      behind = false;
      if (v > parseInt(root.dataset.version, 10)) root.dataset.version = String(v);
    }
    heldNow = false;
    if (elt !== live) focusSent = null;
    if (elt.tagName === "FORM" && !xhr.status) {
      const note = document.createElement("p");
      note.className = "alert error";
      note.setAttribute("role", "alert");
      note.textContent = "Not sent: the connection dropped. Your text is still here; try again.";
      elt.appendChild(note);
    }
  });
  root.addEventListener("input", function (event) {
    if (event.target.matches("input, textarea, select")) event.target.setAttribute("data-dirty", "1");
  });

  // --- Keyboard shortcuts for the facilitator -------------------------------------------------------
  // They can be turned off (WCAG 2.1.4); the choice is kept in this browser.
  const SHORTCUTS = "aar-shortcuts";
  function shortcutsOn() {
    try { return localStorage.getItem(SHORTCUTS) !== "off"; } catch (e) { return true; }
  }
  const toggle = document.getElementById("shortcuts-on");
  if (toggle) {
    toggle.checked = shortcutsOn();
    toggle.addEventListener("change", function () {
      try { localStorage.setItem(SHORTCUTS, toggle.checked ? "on" : "off"); } catch (e) { /* kept for this page */ }
      root.classList.toggle("no-shortcuts", !toggle.checked);
    });
    root.classList.toggle("no-shortcuts", !toggle.checked);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (toggle ? !toggle.checked : !shortcutsOn()) return;
    if (event.target.matches && event.target.matches("input, textarea, select, [contenteditable]")) return;
    const button = document.querySelector('#m-state button[data-key="' + event.key.toLowerCase() + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });

  readClock();
})();

// --- Choosing a why's evidence: a searchable list of the timeline's entries ---------------------
// Each form holds the entries chosen so far as hidden inputs; "Choose" puts a copy of the page's
// one list (<template id="evidence-list">) in their place, ticked as they were.
(function () {
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-pick]");
    if (!button) return;
    const slot = button.closest(".evidence-slot");
    const source = document.getElementById("evidence-list");
    if (!slot || !source) return;
    const picker = source.content.firstElementChild.cloneNode(true);
    const chosen = (slot.dataset.selected || "").split(" ");
    picker.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
      box.checked = chosen.indexOf(box.value) !== -1;
    });
    slot.replaceChildren(picker);
    picker.querySelector("[data-pick-search]").focus();
  });
  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("[data-pick-search]")) return;
    const words = event.target.value.toLowerCase().split(/\s+/).filter(Boolean);
    event.target.closest(".pick").querySelectorAll(".pick-list label").forEach(function (label) {
      const text = label.textContent.toLowerCase();
      label.hidden = !words.every(function (word) { return text.indexOf(word) !== -1; });
    });
  });
  document.addEventListener("keydown", function (event) {
    // Enter in the search box filters; it does not send the form.
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-pick-search]")) event.preventDefault();
  });
})();
