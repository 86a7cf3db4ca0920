// Pick list: the print button (the browser's own dialog; the stylesheet for the chosen paper is linked
// for print media). Without JavaScript the browser's menu prints the same sheet.
(function () {
  "use strict";
  const button = document.querySelector("[data-print]");
  if (!button || !window.print) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
