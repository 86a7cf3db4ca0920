// Store console queue: the board updates itself, and a new order is impossible to miss.
// - Live: server-sent events from data-events (console/live.py): "order" (a new order), "board"
//   (something moved), "hello". The browser reconnects by itself with Last-Event-ID.
// - Fallback: while the stream is not open, the board is fetched every data-every seconds (20 s), as
//   before; a newer order found that way alerts too.
// - Alerts: a chime (served locally; browsers play sound only after a click, hence the "turn on alerts"
//   button, which also asks for notification permission), a browser notification, and the count of new
//   orders in the title: "(2) Orders · store".
// No inline script; nothing leaves this site.
(function () {
  "use strict";
  const wrap = document.getElementById("board");
  if (!wrap || !wrap.dataset.refresh || !window.fetch) {
    return;
  }
  const bar = document.getElementById("alerts");
  const every = Math.max(5, parseInt(wrap.dataset.every || "20", 10)) * 1000;
  const baseTitle = document.title;
  let last = null;
  let busy = false;
  let again = false;
  let stopped = false;
  let live = false;
  let audio = null;
  let seen = boardState("latest");

  function msg(name) {
    return (bar && bar.dataset[name]) || "";
  }

  function boardState(name) {
    const el = wrap.querySelector(".board-state");
    return el ? parseInt(el.dataset[name] || "0", 10) || 0 : 0;
  }

  function showTitle() {
    const waiting = boardState("new");
    document.title = waiting > 0 ? "(" + waiting + ") " + baseTitle : baseTitle;
  }

  function setLive(on) {
    live = on;
    const state = bar && bar.querySelector("[data-live-state]");
    if (state) {
      state.textContent = on ? msg("msgLive") : msg("msgPoll");
      state.classList.toggle("is-live", on);
    }
  }

  function ring(count, number) {
    if (audio) {
      audio.currentTime = 0;
      const played = audio.play();
      if (played && played.catch) {
        played.catch(function () {});
      }
    }
    if ("Notification" in window && window.Notification.permission === "granted") {
      const title = count > 1 ? msg("msgOrders").replace("{count}", count) : msg("msgOrder").replace("{number}", number || "");
      try {
        const note = new window.Notification(title, { body: msg("msgBody"), tag: "o2o-new-order" });
        note.onclick = function () {
          window.focus();
          note.close();
        };
      } catch (e) {
        // some browsers allow notifications only from a service worker: the sound and title still alert
      }
    }
  }

  function newest(latest) {
    if (latest > seen) {
      seen = latest;
      ring(1, "");
      return true;
    }
    return false;
  }

  async function refresh(force) {
    if (stopped) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    const active = document.activeElement;
    if (!force && active && active !== document.body && wrap.contains(active) && active.tagName !== "A") {
      again = true; // do not pull a button away from under a finger: try again shortly
      window.setTimeout(function () { refresh(false); }, 3000);
      return;
    }
    busy = true;
    again = false;
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
      newest(boardState("latest"));
      showTitle();
    } catch (e) {
      // offline for a moment: try again next time
    } finally {
      busy = false;
      if (again) {
        again = false;
        window.setTimeout(function () { refresh(false); }, 500);
      }
    }
  }

  function listen() {
    if (!window.EventSource || !wrap.dataset.events) {
      return;
    }
    const source = new window.EventSource(wrap.dataset.events);
    source.addEventListener("open", function () { setLive(true); });
    source.addEventListener("hello", function (e) {
      setLive(true);
      const data = JSON.parse(e.data || "{}");
      if (newest(data.latest || 0)) {
        refresh(true);
      }
    });
    source.addEventListener("order", function (e) {
      setLive(true);
      const data = JSON.parse(e.data || "{}");
      newest(data.latest || 0);
      refresh(true);
    });
    source.addEventListener("board", function () { refresh(false); });
    source.addEventListener("error", function () {
      setLive(false); // reconnecting (or refused: then the poll below carries on alone)
      if (source.readyState === window.EventSource.CLOSED) {
        window.setTimeout(listen, 30000);
      }
    });
  }

  if (bar) {
    const button = bar.querySelector("[data-alerts-enable]");
    const status = bar.querySelector("[data-alerts-status]");
    button.addEventListener("click", function () {
      audio = audio || new window.Audio(bar.dataset.chime);
      audio.muted = true; // a silent play inside the click unlocks sound for this page
      const unlock = audio.play();
      const done = function () {
        audio.pause();
        audio.currentTime = 0;
        audio.muted = false;
      };
      if (unlock && unlock.then) {
        unlock.then(done, done);
      } else {
        done();
      }
      status.textContent = msg("msgOn");
      button.setAttribute("aria-pressed", "true");
      if ("Notification" in window && window.Notification.permission === "default") {
        window.Notification.requestPermission().then(function (answer) {
          if (answer === "denied") {
            status.textContent = msg("msgDenied");
          }
        }, function () {});
      } else if ("Notification" in window && window.Notification.permission === "denied") {
        status.textContent = msg("msgDenied");
      }
    });
  }

  showTitle();
  setLive(false);
  listen();
  window.setInterval(function () {
    if (!live && !document.hidden) {
      refresh(false);
    }
  }, every);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      refresh(false);
    }
  });
})();
