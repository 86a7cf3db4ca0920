"""A geocoding web service in AMap's (高德) shape, over HTTPS:

- `GET {base}/v3/assistant/inputtips?key&keywords&city&citylimit=true&location=lng,lat` -> `{status: "1",
  tips: [{name, district, address, location: "lng,lat"}]}` (suggestions as one types);
- `GET {base}/v3/geocode/regeo?key&location=lng,lat` -> `{status: "1", regeocode: {formatted_address,
  addressComponent: {district, streetNumber: {street, number}}}}` (the place at a point);
- `GET {base}/v3/geocode/geo?key&address&city` -> `{status: "1", geocodes: [...]}` (a typed address).

With a private key (数字签名) every request carries `sig` = MD5 of the parameters sorted by name as
`k=v&k=v` followed by the private key. A refusal is `{status: "0", info: "INVALID_USER_KEY",
infocode: "10001"}`: a key or signature problem is GeocoderMisconfigured, a quota or rate limit or a
server fault GeocoderUnavailable. AMap works in GCJ-02 (the mainland's offset datum): coordinates are
converted from and to the platform's WGS-84 here.
"""

from __future__ import annotations

import hashlib
import logging
import math
from typing import Any

import httpx

from o2o.adapters.geocoding import (
    MAX_QUERY,
    MAX_SUGGESTIONS,
    GeocoderMisconfigured,
    GeocoderUnavailable,
    Place,
)

log = logging.getLogger("o2o.geocoding")
BASE_URL = "https://restapi.amap.com"
# infocodes: our credentials or set-up (no retry helps) vs. limits and faults (later may work)
MISCONFIGURED = {"INVALID_USER_KEY", "INVALID_USER_SIGNATURE", "USERKEY_PLAT_NOMATCH", "INVALID_USER_SCODE",
                 "INVALID_USER_IP", "INVALID_USER_DOMAIN", "SERVICE_NOT_AVAILABLE", "USER_KEY_RECYCLED",
                 "INSUFFICIENT_PRIVILEGES"}
LIMITS = {"DAILY_QUERY_OVER_LIMIT": 3600, "ACCESS_TOO_FREQUENT": 1, "CUQPS_HAS_EXCEEDED_THE_LIMIT": 1,
          "CKQPS_HAS_EXCEEDED_THE_LIMIT": 1, "CUOQPS_HAS_EXCEEDED_THE_LIMIT": 1, "IP_QUERY_OVER_LIMIT": 60,
          "QUOTA_PLAN_RUN_OUT": 3600}


def sign(params: dict[str, str], private_key: str) -> str:
    """AMap's `sig`: md5(sorted "k=v" joined by "&" + private key), hex."""
    raw = "&".join(f"{k}={params[k]}" for k in sorted(params)) + private_key
    return hashlib.md5(raw.encode("utf-8")).hexdigest()  # noqa: S324 (the service's scheme, not our security)


# --- WGS-84 <-> GCJ-02 (the published transform; about 1 m after one iteration back) ---------------
_A, _EE = 6378245.0, 0.00669342162296594323


def _in_china(lat: float, lng: float) -> bool:
    return 0.8293 <= lat <= 55.8271 and 72.004 <= lng <= 137.8347


def _delta(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlng = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * math.pi)
    dlng = (dlng * 180.0) / (_A / sq * math.cos(rad) * math.pi)
    return dlat, dlng


def wgs_to_gcj(lat: float, lng: float) -> tuple[float, float]:
    if not _in_china(lat, lng):
        return lat, lng
    dlat, dlng = _delta(lat, lng)
    return lat + dlat, lng + dlng


def gcj_to_wgs(lat: float, lng: float) -> tuple[float, float]:
    if not _in_china(lat, lng):
        return lat, lng
    wlat, wlng = lat, lng
    for _ in range(3):  # invert by fixed-point iteration
        glat, glng = wgs_to_gcj(wlat, wlng)
        wlat, wlng = wlat - (glat - lat), wlng - (glng - lng)
    return wlat, wlng


def _text(v: Any) -> str:
    """AMap answers an empty field as [] rather than ""."""
    return v if isinstance(v, str) else ""


def _point(location: Any) -> tuple[float, float] | None:
    """"lng,lat" (GCJ-02) -> (lat, lng) WGS-84; None for a tip without a position (a bus line, a keyword)."""
    try:
        lng_s, lat_s = _text(location).split(",")
        lat, lng = gcj_to_wgs(float(lat_s), float(lng_s))
    except ValueError:
        return None
    return (lat, lng) if math.isfinite(lat) and math.isfinite(lng) else None


class AmapGeocoder:
    name = "amap"

    def __init__(self, key: str, private_key: str = "", base_url: str = BASE_URL, timeout_s: float = 3.0,
                 city: str = "上海") -> None:
        if not key:
            raise ValueError("AMap geocoding needs a key (O2O_AMAP_KEY)")
        self.key, self.private_key = key, private_key
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.city = city

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        params = {**params, "key": self.key, "output": "JSON"}
        if self.private_key:
            params["sig"] = sign(params, self.private_key)
        try:
            resp = httpx.get(f"{self.base_url}{path}", params=params, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            raise GeocoderUnavailable(f"amap: {type(exc).__name__}", "unreachable") from exc
        if resp.status_code != 200:
            raise GeocoderUnavailable(f"amap: HTTP {resp.status_code}", f"HTTP_{resp.status_code}")
        try:
            body = resp.json()
        except ValueError as exc:
            raise GeocoderUnavailable("amap: the answer is not JSON", "NOT_JSON") from exc
        if not isinstance(body, dict):
            raise GeocoderUnavailable("amap: the answer is not an object", "NOT_JSON")
        if str(body.get("status")) != "1":
            info = _text(body.get("info")) or "UNKNOWN"
            code = _text(body.get("infocode"))
            log.warning("amap refused %s: %s (%s)", path, info, code)
            if info in MISCONFIGURED:
                raise GeocoderMisconfigured(f"amap refused our credentials: {info} ({code})", info)
            raise GeocoderUnavailable(f"amap: {info} ({code})", info, LIMITS.get(info, 5))
        return body

    def suggest(self, text: str, city: str = "", near: tuple[float, float] | None = None,
                limit: int = MAX_SUGGESTIONS) -> list[Place]:
        text = " ".join(text.split())[:MAX_QUERY]
        if not text:
            return []
        params = {"keywords": text, "city": city or self.city, "citylimit": "true", "datatype": "all"}
        if near is not None:
            glat, glng = wgs_to_gcj(*near)
            params["location"] = f"{glng:.6f},{glat:.6f}"
        body = self._get("/v3/assistant/inputtips", params)
        out: list[Place] = []
        for tip in body.get("tips") or []:
            if not isinstance(tip, dict) or (point := _point(tip.get("location"))) is None:
                continue
            name = _text(tip.get("name"))
            if not name:
                continue
            district = _text(tip.get("district"))
            for prefix in ("上海市",):
                district = district.removeprefix(prefix)
            out.append(Place(name=name, address=_text(tip.get("address")) or name, district=district,
                             lat=point[0], lng=point[1], kind="poi"))
            if len(out) >= min(limit, MAX_SUGGESTIONS):
                break
        return out

    def reverse(self, lat: float, lng: float) -> Place | None:
        glat, glng = wgs_to_gcj(lat, lng)
        body = self._get("/v3/geocode/regeo", {"location": f"{glng:.6f},{glat:.6f}", "extensions": "base"})
        geo = body.get("regeocode")
        if not isinstance(geo, dict):
            return None
        comp = geo.get("addressComponent") if isinstance(geo.get("addressComponent"), dict) else {}
        street = comp.get("streetNumber") if isinstance(comp.get("streetNumber"), dict) else {}
        road = _text(street.get("street"))
        number = _text(street.get("number"))
        formatted = _text(geo.get("formatted_address"))
        if not (road or formatted):
            return None
        return Place(name=f"{road}{number}" or formatted, address=formatted or road, district=_text(comp.get("district")),
                     lat=lat, lng=lng, kind="road" if road else "poi")

    def geocode(self, address: str, city: str = "") -> Place | None:
        """A whole typed address (for integrations importing addresses): the best match or None."""
        body = self._get("/v3/geocode/geo", {"address": address[:200], "city": city or self.city})
        for g in body.get("geocodes") or []:
            if isinstance(g, dict) and (point := _point(g.get("location"))) is not None:
                formatted = _text(g.get("formatted_address"))
                return Place(name=formatted, address=formatted, district=_text(g.get("district")),
                             lat=point[0], lng=point[1], kind="building")
        return None
