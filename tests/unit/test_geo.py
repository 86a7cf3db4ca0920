"""H3 candidate search never misses a location within the radius (checked against brute force)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from o2o.kernel import geo

lat_s = st.floats(30.7, 31.7)
lng_s = st.floats(120.9, 122.0)


def test_haversine_known_distance():
    # Xujiahui to People's Square is about 5.5 km
    d = geo.haversine_m(31.1955, 121.4374, 31.2335, 121.4753)
    assert 5_200 < d < 5_700
    assert geo.haversine_m(31.2, 121.4, 31.2, 121.4) == 0


@settings(max_examples=300, deadline=None)
@given(lat_s, lng_s, lat_s, lng_s, st.sampled_from([1_000, 3_000, 5_000]))
def test_cells_within_cover_every_point_in_radius(lat, lng, plat, plng, radius):
    if geo.haversine_m(lat, lng, plat, plng) <= radius:
        assert geo.cell_of(plat, plng) in set(geo.cells_within(lat, lng, radius))


@settings(max_examples=200, deadline=None)
@given(lat_s, lng_s, st.floats(0, 1), st.floats(0, 6.2831))
def test_points_at_the_radius_edge_are_covered(lat, lng, frac, bearing):
    import math
    radius = 3_000
    d = radius * frac
    dlat = (d * math.cos(bearing)) / 111_320
    dlng = (d * math.sin(bearing)) / (111_320 * math.cos(math.radians(lat)))
    plat, plng = lat + dlat, lng + dlng
    if geo.haversine_m(lat, lng, plat, plng) <= radius:
        assert geo.cell_of(plat, plng) in set(geo.cells_within(lat, lng, radius))

