"""The demo's offline gazetteer of Shanghai: roads, buildings and POIs with their real names, placed
with the demo's geography (`geo_data`: neighbourhoods, their streets, warehouse sites) and the chain's
stores. Written by `o2o seed` next to the database (settings.gazetteer_file) and read by the gazetteer
geocoder (o2o.adapters.geocoding.gazetteer). Nothing is downloaded.

Positions are as approximate as the demo's (a few hundred metres): roads sit beside their
neighbourhood's landmark, buildings on it; a shopper confirms the exact spot on the map pin anyway.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from o2o.adapters.geocoding import Place
from o2o.adapters.geocoding import gazetteer as store
from o2o.demo.geo_data import DISTRICTS, NEIGHBOURHOODS, WAREHOUSE_SITES

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LNG = 111_320.0 * math.cos(math.radians(31.2))

# real buildings and POIs, by neighbourhood: (name, road and number), placed on the neighbourhood
LANDMARKS: dict[str, tuple[tuple[str, str], ...]] = {
    "徐家汇": (("港汇恒隆广场", "虹桥路 1 号"), ("美罗城", "肇嘉浜路 1111 号"), ("徐家汇天主教堂", "蒲西路 158 号"),
            ("上海六百", "肇嘉浜路 1068 号"), ("汇金百货", "肇嘉浜路 1000 号"), ("徐家汇公园", "肇嘉浜路 889 号")),
    "陆家嘴": (("东方明珠广播电视塔", "世纪大道 1 号"), ("上海中心大厦", "银城中路 501 号"), ("正大广场", "陆家嘴西路 168 号"),
            ("国金中心商场", "世纪大道 8 号"), ("金茂大厦", "世纪大道 88 号")),
    "人民广场": (("上海博物馆", "人民大道 201 号"), ("来福士广场", "西藏中路 268 号"), ("上海大剧院", "人民大道 300 号"),
             ("第一百货", "南京东路 830 号")),
    "静安寺": (("静安嘉里中心", "南京西路 1515 号"), ("久光百货", "南京西路 1618 号"), ("静安公园", "南京西路 1649 号"),
            ("会德丰广场", "南京西路 1717 号")),
    "五角场": (("合生汇", "翔殷路 1099 号"), ("万达广场", "邯郸路 600 号"), ("百联又一城", "淞沪路 8 号"),
            ("复旦大学", "邯郸路 220 号")),
    "中山公园": (("龙之梦购物中心", "长宁路 1018 号"), ("中山公园", "长宁路 780 号"), ("华东政法大学", "万航渡路 1575 号")),
    "虹桥": (("虹桥南丰城", "遵义路 100 号"), ("上海国际贸易中心", "延安西路 2201 号"), ("虹桥上海城", "仙霞路 99 号")),
    "古北": (("古北家乐福", "水城南路 268 号"), ("古北国际财富中心", "红宝石路 500 号")),
    "打浦桥": (("日月光中心", "徐家汇路 618 号"), ("田子坊", "泰康路 210 弄"), ("瑞金医院", "瑞金二路 197 号")),
    "天山": (("上海百盛天山店", "天山路 789 号"), ("天山公园", "茅台路 55 号")),
    "长寿路": (("长寿公园", "长寿路 399 号"), ("巴黎春天长寿店", "长寿路 155 号")),
    "北外滩": (("白玉兰广场", "东大名路 501 号"), ("上海港国际客运中心", "东大名路 500 号")),
    "四川北路": (("多伦路文化名人街", "多伦路"), ("鲁迅公园", "四川北路 2288 号")),
    "世纪公园": (("世纪公园", "锦绣路 1001 号"), ("上海科技馆", "世纪大道 2000 号"), ("东方艺术中心", "丁香路 425 号")),
    "张江": (("张江高科技园区", "张江路 665 号"), ("长泰广场", "祖冲之路 1239 号")),
    "新天地": (("新天地", "马当路 245 号"), ("中共一大会址", "黄陂南路 374 号"), ("香港新世界大厦", "淮海中路 300 号")),
    "大宁": (("大宁国际商业广场", "共和新路 1898 号"), ("大宁音乐广场", "延长中路 800 号")),
    "龙华": (("龙华寺", "龙华路 2853 号"), ("龙华烈士陵园", "龙华路 180 号")),
    "豫园": (("豫园", "安仁街 218 号"), ("城隍庙", "方浜中路 249 号")),
    "世博": (("梅赛德斯-奔驰文化中心", "世博大道 1200 号"), ("中华艺术宫", "上南路 205 号")),
    "七宝": (("七宝古镇", "青年路 1 号"), ("七宝万科广场", "漕宝路 3366 号")),
    "莘庄": (("莘庄龙之梦", "都市路 5001 号"), ("仲盛世界商城", "都市路 5001 号")),
    "虹桥枢纽": (("虹桥火车站", "申贵路 1500 号"), ("虹桥天地", "申长路 688 号")),
}


def _at(lat: float, lng: float, metres: float, degrees: float) -> tuple[float, float]:
    a = math.radians(degrees)
    return (round(lat + metres * math.cos(a) / M_PER_DEG_LAT, 6), round(lng + metres * math.sin(a) / M_PER_DEG_LNG, 6))


def places(stores: Iterable[dict[str, Any]] = ()) -> list[Place]:
    """Every neighbourhood (an area), its streets (roads beside it), its landmarks (on it), the warehouse
    sites and the chain's stores (`location` rows), one entry per name and district."""
    out: list[Place] = []
    seen: set[tuple[str, str]] = set()

    def add(p: Place) -> None:
        if (p.name, p.district) not in seen:
            seen.add((p.name, p.district))
            out.append(p)

    for i, h in enumerate(NEIGHBOURHOODS):
        district = DISTRICTS[h.district][0]
        add(Place(h.zh, f"{district}{h.zh}", district, h.lat, h.lng, "area"))
        for k, (name, road) in enumerate(LANDMARKS.get(h.zh, ())):
            lat, lng = _at(h.lat, h.lng, 120 + 90 * k, 70 * k + 15 * i)
            add(Place(name, f"{district}{road}", district, lat, lng, "building"))
        for k, street in enumerate(h.streets):
            lat, lng = _at(h.lat, h.lng, 350, 120 * k + 37 * i)
            add(Place(street, f"{district}{street}", district, lat, lng, "road"))
    for w in WAREHOUSE_SITES:
        add(Place(w.zh, w.address, DISTRICTS[w.district][0], w.lat, w.lng, "building"))
    for row in stores:
        if row.get("kind") == "store":
            add(Place(f"O2O {row['name_zh']}", row["address"], row["district"], row["lat"], row["lng"], "poi"))
    return out


def write(path: Path, stores: Iterable[dict[str, Any]] = ()) -> int:
    """Write the gazetteer file; returns the number of places."""
    return store.write(path, places(stores))
