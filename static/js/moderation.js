/* Moderation: a row's decision answers 409 when refused or changed meanwhile, with the row
   and its message (scoring/views/moderation.py); htmx leaves 4xx unswapped by default. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 409) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
})();
