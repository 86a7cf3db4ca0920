"""Charts drawn on the server as SVG geometry (no chart library, no script, nothing to download).

Each function turns figures into shapes (rectangles, polylines, ticks) in a fixed viewBox; the
templates write them out as SVG elements with classes only (the CSP forbids style attributes) and
backoffice.css colours them. Every chart also gets a text summary and a table of its figures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import o2o.web

# the districts of Shanghai: Apache ECharts' map data, vendored unmodified (see its VERSION and LICENSE)
DISTRICTS_FILE = Path(o2o.web.__file__).parent / "static" / "vendor" / "echarts-shanghai" / "shanghai.json"
DISTRICT_EN = {"黄浦区": "Huangpu", "徐汇区": "Xuhui", "长宁区": "Changning", "静安区": "Jing'an", "普陀区": "Putuo",
               "虹口区": "Hongkou", "杨浦区": "Yangpu", "闵行区": "Minhang", "宝山区": "Baoshan", "嘉定区": "Jiading",
               "浦东新区": "Pudong", "金山区": "Jinshan", "松江区": "Songjiang", "青浦区": "Qingpu", "奉贤区": "Fengxian",
               "崇明区": "Chongming"}


@dataclass(frozen=True)
class Frame:
    """A chart's viewBox and margins. Two sizes are drawn and CSS shows the one that fits, so that the
    text stays about 12 px on a phone and on a desktop (an SVG scales its text with its width)."""

    name: str = "wide"
    width: int = 1000
    height: int = 300
    left: int = 64
    right: int = 12
    top: int = 14
    bottom: int = 34
    max_ticks: int = 12

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def base(self) -> float:
        return self.top + self.plot_h


WIDE = Frame()
NARROW = Frame("narrow", width=380, height=250, left=52, right=6, max_ticks=5)
FRAMES = (WIDE, NARROW)


@dataclass
class Chart:
    frame: Frame
    y_ticks: list[tuple[float, str]] = field(default_factory=list)  # (y, label)
    x_ticks: list[tuple[float, str, str]] = field(default_factory=list)  # (x, label, text-anchor)
    bars: list[dict] = field(default_factory=list)  # x, y, w, h, cls, title
    lines: list[dict] = field(default_factory=list)  # points "x,y x,y", cls
    dots: list[dict] = field(default_factory=list)  # cx, cy, cls, title


def nice_max(value: float, ticks: int = 4) -> tuple[float, float]:
    """A round axis top >= value and its step (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0 * ticks, 1.0
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            step = m * power
            break
    return step * ticks, step


def _x_ticks(frame: Frame, days: Sequence[date], slot: float) -> list[tuple[float, str, str]]:
    """(x, label, text-anchor): about `max_ticks` day labels, always the latest; none runs off the edge."""
    every = max(1, math.ceil(len(days) / frame.max_ticks))
    last = len(days) - 1
    out = []
    for i in range(len(days)):
        if (last - i) % every:
            continue
        x = round(frame.left + slot * (i + 0.5), 1)
        anchor = "end" if x + 18 > frame.width else "start" if x - 18 < frame.left else "middle"
        out.append((min(x, frame.width - 2.0) if anchor == "end" else x, f"{days[i]:%m-%d}", anchor))
    return out


def stacked_bars(days: Sequence[date], series: dict[str, list[int]], fmt: Callable[[float], str],
                 title: Callable[[date, str, int], str], classes: dict[str, str], frame: Frame = WIDE,
                 top: float | None = None) -> Chart:
    """One bar per day, a segment per series (bottom up in the order given); `top` fixes the axis
    (100 for shares in per cent)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    top, step = (top, top / 4) if top else nice_max(max(totals, default=0))
    chart = Chart(frame)
    chart.y_ticks = [(round(frame.base - frame.plot_h * (k * step) / top, 1), fmt(k * step))
                     for k in range(0, 5)]
    slot = frame.plot_w / max(1, len(days))
    width = round(max(2.0, slot * 0.72), 1)
    for i, day in enumerate(days):
        x = round(frame.left + slot * i + (slot - width) / 2, 1)
        y = frame.base
        for name, values in series.items():
            v = values[i]
            if v <= 0:
                continue
            h = frame.plot_h * v / top
            y -= h
            chart.bars.append({"x": x, "y": round(y, 1), "w": width, "h": round(max(h, 0.5), 1),
                               "cls": classes[name], "title": title(day, name, v)})
    chart.x_ticks = _x_ticks(frame, days, slot)
    return chart


def line_chart(days: Sequence[date], series: dict[str, list[float | None]], fmt: Callable[[float], str],
               title: Callable[[date, str, float], str], classes: dict[str, str], frame: Frame = WIDE) -> Chart:
    """A line per series over the days; a day without a value breaks the line."""
    values = [v for vs in series.values() for v in vs if v is not None]
    top, step = nice_max(max(values, default=0))
    chart = Chart(frame)
    chart.y_ticks = [(round(frame.base - frame.plot_h * (k * step) / top, 1), fmt(k * step)) for k in range(0, 5)]
    slot = frame.plot_w / max(1, len(days))
    for name, vs in series.items():
        run: list[str] = []
        for i, v in enumerate(vs):
            if v is None:
                if len(run) > 1:
                    chart.lines.append({"points": " ".join(run), "cls": classes[name]})
                run = []
                continue
            x = round(frame.left + slot * (i + 0.5), 1)
            y = round(frame.base - frame.plot_h * min(v, top) / top, 1)
            run.append(f"{x},{y}")
            chart.dots.append({"cx": x, "cy": y, "cls": classes[name], "title": title(days[i], name, v)})
        if len(run) > 1:
            chart.lines.append({"points": " ".join(run), "cls": classes[name]})
    chart.x_ticks = _x_ticks(frame, days, slot)
    return chart


def shares(items: Sequence[tuple[str, int]]) -> list[dict]:
    """Horizontal bars: each item's share of the largest, as a percentage width, and of the total."""
    biggest = max((v for _, v in items), default=0)
    total = sum(v for _, v in items)
    return [{"key": k, "value": v, "pct_of_max": round(100 * v / biggest, 1) if biggest else 0.0,
             "pct": round(100 * v / total, 1) if total else 0.0} for k, v in items]


# --- the map of delivery radii ------------------------------------------------------------------

M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True)
class District:
    name_zh: str
    name_en: str
    centre: tuple[float, float]  # lng, lat of its label
    rings: tuple[tuple[tuple[float, float], ...], ...]  # outer rings (and islands), lng/lat


def _decode_ring(text: str, offset: Sequence[int], scale: float) -> tuple[tuple[float, float], ...]:
    """ECharts' "UTF8Encoding": pairs of characters, each less 64, zigzag-coded deltas from the offset."""
    x, y = offset[0], offset[1]
    out = []
    for i in range(0, len(text) - 1, 2):
        dx, dy = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        out.append((x / scale, y / scale))
    return tuple(out)


@cache
def districts() -> tuple[District, ...]:
    """The 16 districts of Shanghai as lng/lat rings (decoded once per process)."""
    doc = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))
    scale = float(doc.get("UTF8Scale", 1024))
    out = []
    for f in doc["features"]:
        geom, offsets = f["geometry"], f["geometry"]["encodeOffsets"]
        polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        polygon_offsets = [offsets] if geom["type"] == "Polygon" else offsets
        rings = tuple(_decode_ring(ring, off, scale)
                      for poly, offs in zip(polygons, polygon_offsets, strict=True)
                      for ring, off in zip(poly, offs, strict=True))
        name = f["properties"]["name"]
        biggest = max(rings, key=len)  # no label point given: the middle of its biggest ring
        centre = f["properties"].get("cp") or (sum(p[0] for p in biggest) / len(biggest),
                                               sum(p[1] for p in biggest) / len(biggest))
        out.append(District(name, DISTRICT_EN.get(name, name), (centre[0], centre[1]), rings))
    return tuple(out)


@dataclass
class MapShape:
    width: int
    height: int
    circles: list[dict]  # cx, cy, r, cls, title, id, n
    scale: dict  # x, y, w, label
    districts: list[dict] = field(default_factory=list)  # d (SVG path), name_zh, name_en, x, y (label or None)


def radius_map(points: Sequence[dict], width: int = 720, pad_px: int = 16) -> MapShape:
    """Stores as dots with their delivery radius drawn to scale; an equirectangular projection around
    the chain's middle latitude (good to a fraction of a percent across a city).

    `points`: dicts with id, lat, lng, radius_m, kind, title."""
    if not points:
        return MapShape(width, 240, [], {})
    mid_lat = (min(p["lat"] for p in points) + max(p["lat"] for p in points)) / 2
    m_per_deg_lng = M_PER_DEG_LAT * math.cos(math.radians(mid_lat))

    def metres(p: dict) -> tuple[float, float]:
        return p["lng"] * m_per_deg_lng, -p["lat"] * M_PER_DEG_LAT

    xs = [metres(p)[0] for p in points]
    ys = [metres(p)[1] for p in points]
    reach = max(max(p["radius_m"] for p in points), 500)
    x0, x1 = min(xs) - reach, max(xs) + reach
    y0, y1 = min(ys) - reach, max(ys) + reach
    k = (width - 2 * pad_px) / max(x1 - x0, 1.0)
    height = int(min(max((y1 - y0) * k + 2 * pad_px + 28, 240), 900))
    k = min(k, (height - 2 * pad_px - 28) / max(y1 - y0, 1.0))
    circles = []
    for n, (p, x, y) in enumerate(zip(points, xs, ys, strict=True), start=1):
        circles.append({"cx": round(pad_px + (x - x0) * k, 1), "cy": round(pad_px + (y - y0) * k, 1),
                        "r": round(p["radius_m"] * k, 1), "cls": p["kind"], "title": p["title"], "id": p["id"],
                        "n": n})
    km = next((d for d in (1, 2, 5, 10, 20, 50) if d * 1000 * k >= 60), 50)
    scale = {"x": pad_px, "y": height - 14, "w": round(km * 1000 * k, 1), "label": f"{km} km"}

    def px(lng: float, lat: float) -> tuple[float, float]:
        x, y = metres({"lng": lng, "lat": lat})
        return round(pad_px + (x - x0) * k, 1), round(pad_px + (y - y0) * k, 1)

    base = []
    for d in districts():  # drawn under the circles; the viewBox clips what lies outside
        paths = []
        for ring in d.rings:
            pts = [px(lng, lat) for lng, lat in ring]
            paths.append("M" + " L".join(f"{x},{y}" for x, y in pts) + " Z")
        lx, ly = px(*d.centre)
        inside = pad_px < lx < width - pad_px and pad_px + 8 < ly < height - 30
        base.append({"d": " ".join(paths), "name_zh": d.name_zh, "name_en": d.name_en,
                     "x": lx if inside else None, "y": ly if inside else None})
    return MapShape(width, height, circles, scale, base)
