// Checkout: picking another coupon (or none) re-prices the order at once, so the page shows the new
// total and discount lines before anything is placed. Without script the "Apply" button does the same.
(function () {
  "use strict";
  const box = document.querySelector("[data-coupon-choice]");
  if (!box) {
    return;
  }
  const apply = box.querySelector("[data-coupon-apply]");
  box.addEventListener("change", function (event) {
    if (event.target.matches("[data-coupon-pick]") && apply) {
      apply.click();
    }
  });
})();
