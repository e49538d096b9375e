/* F-02: autosave answers 409 for a conflict or a refusal, with a fragment to show
   (evaluations/views/f02.py); htmx leaves 4xx unswapped by default. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 409) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
})();
