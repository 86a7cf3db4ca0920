// Back-office pages: small enhancements; every page works without them.
// - a picture chosen for upload is checked at once (size, type) with the message next to the field
//   (the server checks again, by the file's magic bytes);
// - "copy" buttons copy a one-time invitation token;
// - on the stores page, pointing at a store in the list highlights its delivery radius on the map.
(function () {
  "use strict";

  function showError(input, message) {
    const id = "e-" + input.id;
    let note = document.getElementById(id);
    if (!message) {
      if (note && note.dataset.client) { note.remove(); }
      input.removeAttribute("aria-invalid");
      return;
    }
    if (!note) {
      note = document.createElement("small");
      note.id = id;
      note.className = "error-text";
      note.dataset.client = "1";
      input.insertAdjacentElement("afterend", note);
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(id) < 0) { described.push(id); }
      input.setAttribute("aria-describedby", described.join(" "));
    }
    note.textContent = message;
    input.setAttribute("aria-invalid", "true");
  }

  document.addEventListener("change", function (event) {
    const input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) { return; }
    const file = input.files && input.files[0];
    let message = "";
    if (file && file.size > Number(input.dataset.maxBytes)) {
      message = input.dataset.tooLarge;
    } else if (file && file.type && ["image/jpeg", "image/png", "image/webp"].indexOf(file.type) < 0) {
      message = input.dataset.notImage;
    }
    showError(input, message);
    const button = input.form && input.form.querySelector("button[type=submit]");
    if (button) { button.disabled = Boolean(message); }
  });

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button || !navigator.clipboard) { return; }
    const source = document.getElementById(button.dataset.copy);
    navigator.clipboard.writeText(source ? source.textContent.trim() : "").then(function () {
      button.textContent = button.dataset.copied || button.textContent;
    });
  });

  if (!navigator.clipboard) {  // only on secure origins: no button that cannot work
    document.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = true; });
  }

  function highlight(event) {
    const row = event.target.closest && event.target.closest("tr[data-store]");
    if (!row) { return; }
    const on = event.type === "mouseover" || event.type === "focusin";
    const shape = document.getElementById("map-" + row.dataset.store);
    if (shape) { shape.classList.toggle("is-current", on); }
    row.classList.toggle("is-current", on);
  }
  ["mouseover", "mouseout", "focusin", "focusout"].forEach(function (type) {
    document.addEventListener(type, highlight);
  });
})();
