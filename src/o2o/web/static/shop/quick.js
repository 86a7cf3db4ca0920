// Quick buying on the product list (no framework; without it the steppers are plain form posts that
// come back to the list):
// - form[data-quick]: the + and − buttons are sent with fetch (the form's CSRF token, Accept: JSON);
//   the answer gives the line's quantity and the cart bar's figures and sentences
// - [data-cart-bar]: items, total and the progress to free store delivery, updated in place
(function () {
  "use strict";

  function updateBar(data) {
    const bar = document.querySelector("[data-cart-bar]");
    if (bar) {
      bar.querySelector("[data-bar-units]").textContent = data.text.units;
      bar.querySelector("[data-bar-total]").textContent = data.text.total;
      bar.querySelector("[data-bar-progress]").textContent = data.text.progress;
      bar.querySelector("[data-bar-meter]").value = data.progress;
      bar.toggleAttribute("data-empty", data.units === 0);
    }
    document.querySelectorAll(".shop-nav .count").forEach(function (el) { el.textContent = String(data.units); });
  }

  function updateStepper(form, quantity) {
    const less = form.querySelector(".step.less");
    const shown = form.querySelector("[data-qty]");
    less.value = String(Math.max(0, quantity - 1));
    less.hidden = quantity === 0;
    shown.hidden = quantity === 0;
    shown.textContent = String(quantity);
    const more = form.querySelector(".step.more");
    more.setAttribute("aria-label", more.getAttribute(quantity ? "data-label-more" : "data-label-add"));
  }

  document.querySelectorAll("form[data-quick]").forEach(function (form) {
    const error = form.querySelector("[data-quick-error]");
    form.addEventListener("submit", function (event) {
      const button = event.submitter;
      if (!button || !window.fetch) { return; }
      event.preventDefault();
      const body = new FormData(form);
      body.set("quantity", button.value);
      const action = button.getAttribute("formaction") || form.getAttribute("action");
      form.setAttribute("aria-busy", "true");
      fetch(action, { method: "POST", body: body, credentials: "same-origin",
                      headers: { "Accept": "application/json" } })
        .then(function (r) {
          return r.json().then(function (data) { return { ok: r.ok, data: data }; });
        })
        .then(function (res) {
          form.removeAttribute("aria-busy");
          if (!res.ok) {
            error.textContent = res.data.detail || form.getAttribute("data-failed");
            error.hidden = false;
            return;
          }
          error.hidden = true;
          updateStepper(form, res.data.quantity);
          updateBar(res.data);
        })
        .catch(function () {
          form.removeAttribute("aria-busy");
          error.textContent = form.getAttribute("data-failed");
          error.hidden = false;
        });
    });
  });
})();
