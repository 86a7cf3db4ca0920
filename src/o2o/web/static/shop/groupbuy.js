// Group buying: every countdown ([data-seconds-left]) ticks down once a second as HH:MM:SS.
(function () {
  "use strict";
  var timers = Array.prototype.slice.call(document.querySelectorAll("[data-seconds-left]"));
  if (!timers.length) return;
  var start = Date.now();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var gone = Math.floor((Date.now() - start) / 1000);
    timers.forEach(function (el) {
      var left = Math.max(0, parseInt(el.getAttribute("data-seconds-left"), 10) - gone);
      el.textContent = pad(Math.floor(left / 3600)) + ":" + pad(Math.floor(left % 3600 / 60)) + ":" + pad(left % 60);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
