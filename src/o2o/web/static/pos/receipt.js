// The receipt's print button (no inline script: the Content-Security-Policy allows none).
(function () {
  "use strict";
  const button = document.querySelector("[data-print]");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();
