// The member code changes every minute. When it does, fetch this page again and swap the QR and the code
// in place: no reload, so focus, zoom and scroll stay where the shopper left them (a timed
// <meta http-equiv="refresh"> reloaded the whole page, which WCAG 2.2.1 rules out). Offline or signed
// out, the old code stays and the "show a new code" link still works; it tries again a minute later.
(function () {
  "use strict";
  const figure = document.querySelector("[data-member-qr]");
  if (!figure || !window.fetch || !window.DOMParser) {
    return;
  }
  const seconds = function (el) {
    const n = Number(el.getAttribute("data-refresh-s"));
    return n > 0 ? n : 60;
  };
  const renew = function () {
    fetch(window.location.pathname, {credentials: "same-origin", headers: {Accept: "text/html"}})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        const fresh = html && new DOMParser().parseFromString(html, "text/html").querySelector("[data-member-qr]");
        if (fresh) {
          figure.replaceChildren.apply(figure, Array.from(fresh.childNodes));
          figure.setAttribute("data-refresh-s", String(seconds(fresh)));
        }
      })
      .catch(function () { /* keep the code shown; try again below */ })
      .then(function () { window.setTimeout(renew, seconds(figure) * 1000); });
  };
  window.setTimeout(renew, seconds(figure) * 1000);
})();
