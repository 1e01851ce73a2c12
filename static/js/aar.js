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
  });
})();
