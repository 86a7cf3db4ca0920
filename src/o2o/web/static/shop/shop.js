// Storefront behaviour (no framework; every page works without it).
// - [data-locate]: "use my location" -> /shop/stores?lat=&lng= (the browser's position, never sent elsewhere)
// - [data-fill-position]: fills the checkout's latitude/longitude fields from the browser's position
// - [data-checkout]: shows only the fields of the chosen fulfilment mode and address
// - [data-once]: a form with such a submit button is sent once (a double tap creates one order)
(function () {
  "use strict";

  function locate(button, done) {
    const status = document.getElementById(button.getAttribute("data-status"));
    const say = function (text) { if (status) { status.textContent = text; } };
    say(button.getAttribute("data-busy"));
    button.setAttribute("aria-busy", "true");
    navigator.geolocation.getCurrentPosition(function (pos) {
      button.removeAttribute("aria-busy");
      say("");
      done(pos.coords.latitude.toFixed(5), pos.coords.longitude.toFixed(5));
    }, function () {
      button.removeAttribute("aria-busy");
      say(button.getAttribute("data-denied"));
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
  }

  if ("geolocation" in navigator) {
    document.querySelectorAll("[data-locate]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        locate(button, function (lat, lng) {
          const url = new URL(button.getAttribute("data-locate"), window.location.href);
          url.searchParams.set("lat", lat);
          url.searchParams.set("lng", lng);
          const next = new URL(window.location.href).searchParams.get("next");
          if (next) { url.searchParams.set("next", next); }
          window.location.assign(url.pathname + url.search);
        });
      });
    });
    document.querySelectorAll("[data-fill-position]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        locate(button, function (lat, lng) {
          const form = button.form;
          form.elements.lat.value = lat;
          form.elements.lng.value = lng;
          const fresh = form.querySelector('input[name="address"][value="new"]');
          if (fresh) { fresh.checked = true; fresh.dispatchEvent(new Event("change", { bubbles: true })); }
        });
      });
    });
  }

  document.querySelectorAll("form[data-checkout]").forEach(function (form) {
    const sync = function () {
      const mode = (form.querySelector('input[name="mode"]:checked') || {}).value || "pickup";
      form.querySelectorAll("[data-for-mode]").forEach(function (box) {
        box.hidden = box.getAttribute("data-for-mode").split(" ").indexOf(mode) < 0;
      });
      const address = (form.querySelector('input[name="address"]:checked') || {}).value || "new";
      const fresh = form.querySelector(".new-address");
      if (fresh) { fresh.hidden = address !== "new"; }
    };
    form.addEventListener("change", sync);
    sync();
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    const button = event.submitter;
    if (!button || !button.hasAttribute("data-once") || event.defaultPrevented) { return; }
    if (form.getAttribute("data-sent") === "1") {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "1");
    button.setAttribute("aria-busy", "true");
  });
})();

// The order page's cancel dialog opens through invoker commands (commandfor/command) without script;
// where a browser lacks them, these clicks do the same, and where it lacks <dialog>, the link to the
// cancel page shows instead of the button.
(function () {
  "use strict";
  const opener = document.querySelector("[data-cancel-open]");
  if (!opener) return;
  if (typeof HTMLDialogElement !== "function") {
    opener.hidden = true;
    document.querySelector(".cancel-fallback").style.display = "inline";
    return;
  }
  if ("command" in HTMLButtonElement.prototype) return;
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[commandfor]");
    const dialog = button && document.getElementById(button.getAttribute("commandfor"));
    if (!dialog) return;
    if (button.getAttribute("command") === "show-modal") dialog.showModal();
    if (button.getAttribute("command") === "close") dialog.close();
  });
})();
