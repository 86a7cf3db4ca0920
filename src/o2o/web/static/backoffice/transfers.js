// Transfer planner: "all stores" ticks or clears every store of the list.
(function () {
  "use strict";
  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    const boxes = document.querySelectorAll("input[type=checkbox][name=" + all.getAttribute("data-check-all") + "]");
    all.checked = boxes.length > 0 && Array.prototype.every.call(boxes, function (b) { return b.checked; });
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
    });
  });
})();
