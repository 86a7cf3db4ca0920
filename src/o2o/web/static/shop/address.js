// Address entry ([data-address-form]): suggestions as the shopper types a street, building or place
// (the geocoder's suggest API; arrow keys, Enter, Escape, tap), then a map pin to confirm: tap the map
// or drag the pin (arrow keys move it when the map has focus); the pin's spot is reverse-geocoded and
// the address follows it. The hidden line/district/lat/lng fields are what the form sends: nobody types
// coordinates. The map is drawn here (SVG, no tiles, nothing fetched from elsewhere): a grid, the
// places known around the pick, a 200 m scale bar.
(function () {
  "use strict";
  const W = 360, H = 240, M_PER_PX = 200 / 60;  // the scale bar: 60 px = 200 m
  const M_LAT = 110574, DELAY_MS = 150;

  function setUp(form) {
    const box = form.querySelector("[data-place]"), list = document.getElementById("place-list");
    const status = form.querySelector("[data-place-status]"), svg = form.querySelector("[data-map]");
    const wrap = form.querySelector("[data-map-wrap]"), pin = form.querySelector("[data-pin]");
    const placesLayer = form.querySelector("[data-places]"), grid = form.querySelector("[data-grid]");
    const picked = form.querySelector("[data-picked]");
    const f = function (sel) { return form.querySelector(sel); };
    const startLat = parseFloat(form.dataset.startLat), startLng = parseFloat(form.dataset.startLng);
    let center = null, found = [], active = -1, timer = null, pending = null, dragging = false;
    const mLng = function (lat) { return 111320 * Math.cos(lat * Math.PI / 180); };

    for (let x = 0; x <= W; x += 30) { line(grid, x, 0, x, H); }
    for (let y = 0; y <= H; y += 30) { line(grid, 0, y, W, y); }
    function line(g, x1, y1, x2, y2) {
      const l = document.createElementNS("http://www.w3.org/2000/svg", "line");
      l.setAttribute("x1", x1); l.setAttribute("y1", y1); l.setAttribute("x2", x2); l.setAttribute("y2", y2);
      g.appendChild(l);
    }
    function toXY(lat, lng) {
      return [W / 2 + (lng - center.lng) * mLng(center.lat) / M_PER_PX, H / 2 - (lat - center.lat) * M_LAT / M_PER_PX];
    }
    function toLatLng(x, y) {
      return { lat: center.lat - (y - H / 2) * M_PER_PX / M_LAT, lng: center.lng + (x - W / 2) * M_PER_PX / mLng(center.lat) };
    }
    function lineOf(p) { return p.address.indexOf(p.name) >= 0 ? p.address : p.address + " " + p.name; }
    function set(p, lat, lng) {
      f("[data-line]").value = lineOf(p);
      if (f("[data-district]")) { f("[data-district]").value = p.district || ""; }
      const fresh = document.querySelector("input[name=address][value=new]");  // checkout: a new address
      if (fresh) { fresh.checked = true; }
      f("[data-lat]").value = lat.toFixed(6);
      f("[data-lng]").value = lng.toFixed(6);
      picked.textContent = lineOf(p);
    }
    function drawPlaces() {
      placesLayer.replaceChildren();
      found.forEach(function (p) {
        const xy = toXY(p.lat, p.lng);
        if (xy[0] < 0 || xy[0] > W || xy[1] < 0 || xy[1] > H) { return; }
        const g = document.createElementNS("http://www.w3.org/2000/svg", "g");
        g.setAttribute("transform", "translate(" + xy[0].toFixed(1) + " " + xy[1].toFixed(1) + ")");
        const c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
        c.setAttribute("r", p.kind === "road" ? 3 : 4);
        c.setAttribute("fill", p.kind === "road" ? "#8a9a86" : "#3566a8");
        const t = document.createElementNS("http://www.w3.org/2000/svg", "text");
        t.setAttribute("x", 6); t.setAttribute("y", 4); t.setAttribute("font-size", "11"); t.setAttribute("fill", "#333");
        t.textContent = p.name;
        g.appendChild(c); g.appendChild(t); placesLayer.appendChild(g);
      });
    }
    function movePin(x, y) {
      pin.setAttribute("transform", "translate(" + x.toFixed(1) + " " + y.toFixed(1) + ")");
      pin.dataset.x = x; pin.dataset.y = y;
    }
    function pick(p) {
      center = { lat: p.lat, lng: p.lng };
      box.value = p.name;
      close();
      wrap.hidden = false;
      drawPlaces();
      movePin(W / 2, H / 2);
      set(p, p.lat, p.lng);
      if (p.district) { around(p); }
    }
    function around(p) {  // the known places of the district nearest the pick, as landmarks on the map
      const url = form.dataset.suggestUrl + "?q=" + encodeURIComponent(p.district) + "&limit=10" +
        "&near_lat=" + p.lat.toFixed(5) + "&near_lng=" + p.lng.toFixed(5);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          const seen = new Set(found.map(function (q) { return q.name; }));
          found = found.concat(items.filter(function (q) { return !seen.has(q.name); }));
          drawPlaces();
        })
        .catch(function () {});
    }
    function settle(x, y) {  // the pin was dropped: its spot, and what stands there
      const at = toLatLng(x, y);
      f("[data-lat]").value = at.lat.toFixed(6);
      f("[data-lng]").value = at.lng.toFixed(6);
      const url = form.dataset.reverseUrl + "?lat=" + at.lat.toFixed(6) + "&lng=" + at.lng.toFixed(6);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) { if (p) { set(p, at.lat, at.lng); } })
        .catch(function () {});
    }
    function svgPoint(ev) {
      const pt = svg.createSVGPoint();
      pt.x = ev.clientX; pt.y = ev.clientY;
      const local = pt.matrixTransform(svg.getScreenCTM().inverse());
      return [Math.max(0, Math.min(W, local.x)), Math.max(0, Math.min(H, local.y))];
    }
    svg.addEventListener("pointerdown", function (ev) {
      if (!center) { return; }
      dragging = true; svg.setPointerCapture(ev.pointerId);
      const xy = svgPoint(ev); movePin(xy[0], xy[1]); ev.preventDefault();
    });
    svg.addEventListener("pointermove", function (ev) {
      if (dragging) { const xy = svgPoint(ev); movePin(xy[0], xy[1]); }
    });
    svg.addEventListener("pointerup", function (ev) {
      if (!dragging) { return; }
      dragging = false;
      const xy = svgPoint(ev); movePin(xy[0], xy[1]); settle(xy[0], xy[1]);
    });
    svg.addEventListener("keydown", function (ev) {
      const step = { ArrowLeft: [-10, 0], ArrowRight: [10, 0], ArrowUp: [0, -10], ArrowDown: [0, 10] }[ev.key];
      if (!step || !center) { return; }
      ev.preventDefault();
      const x = parseFloat(pin.dataset.x || W / 2) + step[0], y = parseFloat(pin.dataset.y || H / 2) + step[1];
      movePin(x, y); settle(x, y);
    });

    function options() { return list.querySelectorAll("[role=option]"); }
    function close() {
      list.hidden = true; list.replaceChildren(); active = -1;
      box.setAttribute("aria-expanded", "false"); box.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      const all = options();
      all.forEach(function (o, j) { o.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && all[i]) { box.setAttribute("aria-activedescendant", all[i].id); }
    }
    function show(items) {
      found = items; list.replaceChildren();
      items.forEach(function (p, i) {
        const li = document.createElement("li");
        li.id = "place-" + i; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
        li.className = "suggest-item";
        const name = document.createElement("strong"); name.textContent = p.name;
        const where = document.createElement("span"); where.className = "muted small"; where.textContent = " " + p.address;
        li.appendChild(name); li.appendChild(where);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
        li.addEventListener("click", function () { pick(p); });
        list.appendChild(li);
      });
      list.hidden = !items.length;
      box.setAttribute("aria-expanded", items.length ? "true" : "false");
      status.textContent = items.length ? String(items.length) : form.dataset.nothing;
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      const q = box.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        if (pending) { pending.abort(); }
        pending = new AbortController();
        const near = center || { lat: startLat, lng: startLng };
        const url = form.dataset.suggestUrl + "?q=" + encodeURIComponent(q.slice(0, 80)) +
          (isFinite(near.lat) && isFinite(near.lng) && Math.abs(near.lat) <= 90 && Math.abs(near.lng) <= 180
            ? "&near_lat=" + near.lat.toFixed(5) + "&near_lng=" + near.lng.toFixed(5) : "");
        fetch(url, { signal: pending.signal, credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(show)
          .catch(function () {});
      }, DELAY_MS);
    });
    box.addEventListener("keydown", function (ev) {
      const n = options().length;
      if (ev.key === "ArrowDown" && n) { ev.preventDefault(); mark((active + 1) % n); }
      else if (ev.key === "ArrowUp" && n) { ev.preventDefault(); mark((active - 1 + n) % n); }
      else if (ev.key === "Enter" && !list.hidden) { ev.preventDefault(); pick(found[active >= 0 ? active : 0]); }
      else if (ev.key === "Escape") { close(); }
    });
    box.addEventListener("blur", function () { setTimeout(close, 150); });
    const was = { lat: parseFloat(f("[data-lat]").value), lng: parseFloat(f("[data-lng]").value) };
    if (isFinite(was.lat) && isFinite(was.lng)) {  // re-shown after an error: the pin where it was
      center = was;
      movePin(W / 2, H / 2);
    }
  }
  document.querySelectorAll("[data-address-form]").forEach(setUp);
})();
