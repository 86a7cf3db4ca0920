// Shared page behaviour (no framework). Loaded with `defer` on every page.
// - fetch() calls to our own API carry the CSRF token (cookie sessions need it for writes);
// - elements with data-confirm ask before submitting;
// - forms with data-autosubmit submit when a control changes (e.g. a filter select).
(function () {
  "use strict";
  const token = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  window.o2o = window.o2o || {};
  window.o2o.fetch = function (url, options) {
    const opts = Object.assign({ credentials: "same-origin" }, options || {});
    opts.headers = Object.assign({ "X-CSRF-Token": token() }, opts.headers || {});
    return fetch(url, opts);
  };

  document.addEventListener("submit", function (event) {
    const form = event.target;
    const ask = form.getAttribute("data-confirm");
    if (ask && !window.confirm(ask)) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    const form = event.target.closest("form[data-autosubmit]");
    if (form) {
      form.requestSubmit();
    }
  });
})();
