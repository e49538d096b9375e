/* F-01 autosave helpers (no build step). htmx posts each indicator's answer as the operator
   works; this file makes sure nothing is lost on a closed tab or a dropped connection:
   - unsaved input is kept in localStorage per assessment+indicator and restored on reload
     when it is newer than the saved value (then saved again);
   - 409 answers (conflict, or refused by a window/status rule) are swapped like 200s, so the
     person sees the fragment; htmx leaves 4xx unswapped by default;
   - while a conflict is shown the form does not autosave; "take the saved value" fills the
     form with it, "keep mine" (an htmx button) sends the form with the saved version;
   - the progress count follows the radios;
   - after htmx swaps an indicator's card (an evidence upload, replacement or deletion), its
     messages are brought into sight and focused, so a refused file is never missed. */
(function () {
  "use strict";
  var FORM = "form[data-draft-key]";

  function storage() { try { return window.localStorage; } catch (e) { return null; } }
  function valuesOf(form) {
    var checked = form.querySelector('input[name="claimed_level"]:checked');
    var text = form.querySelector('textarea[name="explanation"]');
    return { level: checked ? checked.value : "", explanation: text ? text.value : "" };
  }
  function same(a, b) { return a.level === b.level && a.explanation === b.explanation; }
  function fill(form, v) {
    form.querySelectorAll('input[name="claimed_level"]').forEach(function (r) { r.checked = r.value === v.level; });
    var text = form.querySelector('textarea[name="explanation"]');
    if (text) { text.value = v.explanation; }
  }
  function draftOf(form) {
    var s = storage();
    try { return s ? JSON.parse(s.getItem(form.dataset.draftKey)) : null; } catch (e) { return null; }
  }
  function keep(form) {
    var s = storage(), v = valuesOf(form);
    v.at = Date.now();
    if (s) { try { s.setItem(form.dataset.draftKey, JSON.stringify(v)); } catch (e) { /* full */ } }
  }
  function forget(form) { var s = storage(); if (s) { s.removeItem(form.dataset.draftKey); } }
  function progress() {
    var bar = document.getElementById("f01-progress");
    if (!bar) { return; }
    var n = document.querySelectorAll('form[data-scored="1"] input[name="claimed_level"]:checked').length;
    bar.value = n;
    var out = document.querySelector("[data-answered]");
    if (out) { out.textContent = n; }
  }
  function restore(form) {
    var draft = draftOf(form);
    if (!draft) { return; }
    var savedAt = Number(form.dataset.savedAt || 0) * 1000;
    var editable = !form.querySelector("fieldset[disabled]");
    if (editable && draft.at > savedAt && !same(draft, valuesOf(form))) {
      fill(form, draft);
      var state = form.querySelector(".save-state");
      if (state) { state.textContent = form.dataset.restored; }
      htmx.trigger(form, "change");
    } else {
      forget(form);
    }
  }

  document.addEventListener("input", function (e) {
    var form = e.target.closest && e.target.closest(FORM);
    if (form) { keep(form); }
  });
  document.addEventListener("change", function (e) {
    var form = e.target.closest && e.target.closest(FORM);
    if (form) { keep(form); progress(); }
  });
  // While a conflict is on screen the person decides; the form's own autosaves wait (their
  // input is kept in localStorage and goes with "keep mine").
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (elt.matches && elt.matches(FORM) && elt.querySelector(".save-state.conflict")) { e.preventDefault(); }
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status === 409) { e.detail.shouldSwap = true; e.detail.isError = false; }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest(FORM);
    if (!form || e.detail.xhr.status !== 200) { return; }
    var draft = draftOf(form), sent = e.detail.requestConfig && e.detail.requestConfig.formData;
    var saved = sent ? { level: sent.get("claimed_level") || "", explanation: sent.get("explanation") || "" } : valuesOf(form);
    if (draft && same(draft, saved)) { forget(form); }
  });
  // A dropped connection or a server error: say so; the input stays in localStorage and is
  // sent again when the browser is back online (or restored on the next visit).
  function unsaved(e) {
    var form = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest(FORM);
    var state = form && form.querySelector(".save-state");
    if (state && e.detail.xhr && e.detail.xhr.status !== 409) {
      state.textContent = form.dataset.unsaved;
      state.className = "save-state refused";
    }
  }
  document.addEventListener("htmx:sendError", unsaved);
  document.addEventListener("htmx:responseError", unsaved);
  window.addEventListener("online", function () {
    document.querySelectorAll(FORM).forEach(function (form) {
      if (draftOf(form) && !form.querySelector("fieldset[disabled]")) { htmx.trigger(form, "change"); }
    });
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-take-saved]");
    if (!button) { return; }
    var form = button.closest(FORM);
    fill(form, { level: button.dataset.level, explanation: button.dataset.explanation });
    form.querySelector('input[name="version"]').value = button.dataset.version;
    forget(form);
    var box = button.closest(".save-state");
    var note = document.createElement("span");
    note.id = box.id; note.className = "save-state ok"; note.textContent = button.dataset.done;
    box.replaceWith(note);
    progress();
  });
  document.addEventListener("htmx:afterSettle", function () {
    var notes = document.querySelector(".f01-notes[data-fresh]");
    if (!notes) { return; }
    notes.removeAttribute("data-fresh");
    var box = notes.getBoundingClientRect(), bar = document.getElementById("f01-summary");
    var bottom = window.innerHeight - (bar ? bar.getBoundingClientRect().height : 0);
    if (box.top < 0 || box.bottom > bottom) { notes.scrollIntoView({ block: "start" }); }
    notes.focus({ preventScroll: true });
    progress();
  });
  document.addEventListener("DOMContentLoaded", function () {
    window.setTimeout(function () { document.querySelectorAll(FORM).forEach(restore); progress(); }, 0);
  });
})();
