// Suggestions as the shopper types in a product search box ([data-suggest] = the suggest API's URL).
// The box stays a searchbox (aria-autocomplete="list", aria-controls the list, aria-activedescendant the
// highlighted option; a polite live region says how many suggestions there are): arrow keys move
// through the list, Enter opens the product, Escape closes the list; a tap or click on a suggestion
// opens it. Requests are debounced and the stale one is aborted. Without this script the form is a
// plain search.
(function () {
  "use strict";
  const DELAY_MS = 150;

  function setUp(input, n) {
    const list = document.createElement("ul");
    list.id = "suggest-" + n;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("data-suggest-label") || "");
    list.hidden = true;
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.parentNode.classList.add("has-suggest");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
    let timer = null, pending = null, active = -1, last = "";

    function options() { return list.querySelectorAll("[role=option]"); }
    function close() {
      list.hidden = true;
      list.replaceChildren();
      status.textContent = "";
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function mark(i) {
      const all = options();
      all.forEach(function (o, j) { o.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && all[i]) {
        input.setAttribute("aria-activedescendant", all[i].id);
        all[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function show(items) {
      list.replaceChildren();
      items.forEach(function (item, i) {
        const li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        const a = document.createElement("a");
        a.href = "/shop/products/" + item.product_id;
        a.tabIndex = -1;
        a.textContent = zh ? item.name_zh : item.name_en;
        const other = document.createElement("span");
        other.className = "muted";
        other.textContent = zh ? item.name_en : item.name_zh;
        a.append(" ", other);
        li.append(a);
        list.append(li);
      });
      list.hidden = items.length === 0;
      status.textContent = items.length ? (input.getAttribute("data-suggest-count") || "").replace("{n}", items.length) : "";
      active = -1;
    }
    function ask() {
      const q = input.value.trim();
      if (q === last) { return; }
      last = q;
      if (pending) { pending.abort(); pending = null; }
      if (!q) { close(); return; }
      const url = new URL(input.getAttribute("data-suggest"), window.location.href);
      url.searchParams.set("q", q.slice(0, 60));
      pending = new AbortController();
      fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          if (input.value.trim() === q && document.activeElement === input) { show(items); }
        })
        .catch(function () { /* aborted or offline: the plain search still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (e) {
      const all = options();
      if (e.key === "ArrowDown" && all.length) {
        e.preventDefault();
        mark(active + 1 >= all.length ? 0 : active + 1);
      } else if (e.key === "ArrowUp" && all.length) {
        e.preventDefault();
        mark(active <= 0 ? all.length - 1 : active - 1);
      } else if (e.key === "Enter" && active >= 0 && all[active]) {
        e.preventDefault();
        window.location.assign(all[active].querySelector("a").href);
      } else if (e.key === "Escape" && !list.hidden) {
        e.preventDefault();
        close();
      }
    });
    // a press on a suggestion keeps the focus in the box (the click then opens it), so a blur means the
    // shopper went elsewhere: the list closes at once and covers nothing
    list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    input.addEventListener("blur", function () { clearTimeout(timer); close(); });
    if (input.form) { input.form.addEventListener("submit", close); }
    input.addEventListener("focus", function () { last = ""; if (input.value.trim()) { ask(); } });
  }

  document.querySelectorAll("input[data-suggest]").forEach(setUp);
})();
