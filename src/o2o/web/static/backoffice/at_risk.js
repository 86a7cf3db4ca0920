// The at-risk page (o2o.backoffice.sla): its list refreshes itself every data-refresh-every seconds (the
// same page fetched again, only the list swapped in), while the tab is visible. The page works without it.
(function () {
  "use strict";
  const list = document.getElementById("at-risk-list");
  if (!list || !window.fetch || !window.DOMParser) {
    return;
  }
  const every = Math.max(10, parseInt(list.dataset.refreshEvery || "30", 10)) * 1000;
  let busy = false;

  async function refresh() {
    if (busy || document.hidden) {
      return;
    }
    busy = true;
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok || response.redirected) {
        return;
      }
      const doc = new window.DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = doc.getElementById("at-risk-list");
      if (fresh) {
        list.innerHTML = fresh.innerHTML;
      }
    } catch (e) {
      // offline for a moment: the next round tries again
    } finally {
      busy = false;
    }
  }

  window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
})();
