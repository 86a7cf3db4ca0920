// Store console queue: refresh the board every few seconds while the page is visible (no reload,
// no inline script). Skipped while someone is using a control on the board, or a request is out.
(function () {
  "use strict";
  const wrap = document.getElementById("board");
  if (!wrap || !wrap.dataset.refresh || !window.fetch) {
    return;
  }
  const every = Math.max(5, parseInt(wrap.dataset.every || "20", 10)) * 1000;
  let last = null;
  let busy = false;
  let stopped = false;

  async function refresh() {
    if (stopped || busy || document.hidden) {
      return;
    }
    const active = document.activeElement;
    if (active && active !== document.body && wrap.contains(active) && active.tagName !== "A") {
      return; // do not pull a button away from under a finger
    }
    busy = true;
    try {
      const response = await fetch(wrap.dataset.refresh + window.location.search, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (response.redirected || !response.ok) {
        stopped = response.redirected; // signed out: the next click goes to the sign-in page
        return;
      }
      const html = await response.text();
      if (html !== last) {
        last = html;
        wrap.innerHTML = html;
      }
    } catch (e) {
      // offline for a moment: try again next time
    } finally {
      busy = false;
    }
  }

  window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      refresh();
    }
  });
})();
