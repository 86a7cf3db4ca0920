"""Geocoding: what a shopper types (a street, a building, a POI) becomes a place with coordinates.

`Geocoder` is the port: `suggest` (as-you-type suggestions near a point) and `reverse` (the place at a
point: what a dragged map pin stands on). Two adapters: the demo's offline gazetteer of Shanghai
(`gazetteer.Gazetteer`, built by `o2o seed`: no network) and a web service in AMap's shape
(`amap.AmapGeocoder`), chosen by settings in the composition root. Coordinates are WGS-84 everywhere
in the platform; an adapter for a service in another datum (AMap: GCJ-02) converts at its edge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from o2o.kernel.errors import Busy

MAX_QUERY = 80  # characters of a query sent on; the rest is ignored
MAX_SUGGESTIONS = 10


@dataclass(frozen=True)
class Place:
    name: str  # 港汇恒隆广场, 漕溪北路
    address: str  # 徐汇区虹桥路 1 号
    district: str  # 徐汇区
    lat: float
    lng: float
    kind: str = "poi"  # poi | road | area | building

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Geocoder(Protocol):
    name: str

    def suggest(self, text: str, city: str = "上海", near: tuple[float, float] | None = None,
                limit: int = MAX_SUGGESTIONS) -> list[Place]:
        """Places matching what was typed so far, the nearest to `near` (lat, lng) first among equals."""

    def reverse(self, lat: float, lng: float) -> Place | None:
        """The place at (lat, lng): its road or building and district; None when nothing is known there."""


class GeocoderUnavailable(Busy):
    """503: the geocoding service did not answer usefully (timeout, 5xx, over its quota). `reason` is the
    service's own status (DAILY_QUERY_OVER_LIMIT ...) for the log and the caller."""

    kind = "geocoder-unavailable"

    def __init__(self, detail: str, reason: str = "", retry_after_s: int = 1) -> None:
        super().__init__(detail, reason=reason)
        self.headers = {"Retry-After": str(max(1, retry_after_s))}


class GeocoderMisconfigured(GeocoderUnavailable):
    """503: the service refused our credentials (INVALID_USER_KEY, a wrong signature): an operator must
    fix the settings; retrying will not help."""

    kind = "geocoder-misconfigured"

    def __init__(self, detail: str, reason: str = "") -> None:
        super().__init__(detail, reason, retry_after_s=300)
