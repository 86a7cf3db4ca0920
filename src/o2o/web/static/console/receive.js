// Transfer receipts: the difference between what was sent and what the clerk counts, shown as they type.
(function () {
  "use strict";
  function update(form) {
    var sent = parseInt(form.getAttribute("data-sent"), 10) || 0;
    var good = parseInt(form.elements.received.value, 10);
    var bad = parseInt(form.elements.damaged.value, 10) || 0;
    var out = form.querySelector(".receive-diff");
    if (!out || isNaN(good)) { return; }
    var parts = [];
    var diff = good + bad - sent;
    if (diff < 0) { parts.push(out.getAttribute("data-short").replace("{n}", -diff)); }
    if (diff > 0) { parts.push(out.getAttribute("data-over").replace("{n}", diff)); }
    if (bad > 0) { parts.push(out.getAttribute("data-damaged").replace("{n}", bad)); }
    out.textContent = out.textContent.split(":")[0] + ": " + (parts.length ? parts.join(", ") : out.getAttribute("data-none"));
    out.classList.toggle("has-difference", parts.length > 0);
  }
  document.querySelectorAll("form.receive-form").forEach(function (form) {
    form.addEventListener("input", function () { update(form); });
    update(form);
  });
})();
