"""Shanghai geography for the demo chain: districts, real neighbourhoods, warehouse sites.

Coordinates are approximate (WGS-84, to ~200 m): good enough for a demo map and for the
3 km delivery logic, not for navigation. The order of NEIGHBOURHOODS matters: the first
entries (the urban core) get the first stores, so a small chain is a central one.
"""

from __future__ import annotations

from typing import NamedTuple

# district key -> (zh, en)
DISTRICTS: dict[str, tuple[str, str]] = {
    "xuhui": ("徐汇区", "Xuhui"), "pudong": ("浦东新区", "Pudong"), "huangpu": ("黄浦区", "Huangpu"),
    "jingan": ("静安区", "Jing'an"), "yangpu": ("杨浦区", "Yangpu"), "changning": ("长宁区", "Changning"),
    "putuo": ("普陀区", "Putuo"), "hongkou": ("虹口区", "Hongkou"), "minhang": ("闵行区", "Minhang"),
    "songjiang": ("松江区", "Songjiang"), "jiading": ("嘉定区", "Jiading"), "baoshan": ("宝山区", "Baoshan"),
    "qingpu": ("青浦区", "Qingpu"), "fengxian": ("奉贤区", "Fengxian"), "jinshan": ("金山区", "Jinshan"),
    "chongming": ("崇明区", "Chongming"),
}


class Neighbourhood(NamedTuple):
    zh: str
    en: str
    district: str  # key of DISTRICTS
    lat: float
    lng: float
    streets: tuple[str, ...]  # real streets nearby, for addresses
    weight: float  # how much of the chain's density (extra stores, customers) gathers here


NEIGHBOURHOODS: tuple[Neighbourhood, ...] = (
    Neighbourhood("徐家汇", "Xujiahui", "xuhui", 31.1955, 121.4374, ("漕溪北路", "虹桥路", "天钥桥路"), 3.0),
    Neighbourhood("陆家嘴", "Lujiazui", "pudong", 31.2397, 121.4998, ("陆家嘴环路", "东方路", "浦东南路"), 3.0),
    Neighbourhood("人民广场", "People's Square", "huangpu", 31.2335, 121.4753, ("西藏中路", "福州路", "九江路"), 3.0),
    Neighbourhood("静安寺", "Jing'an Temple", "jingan", 31.2235, 121.4452, ("南京西路", "愚园路", "常德路"), 3.0),
    Neighbourhood("五角场", "Wujiaochang", "yangpu", 31.2997, 121.5145, ("淞沪路", "邯郸路", "国定路"), 2.5),
    Neighbourhood("中山公园", "Zhongshan Park", "changning", 31.2200, 121.4170, ("长宁路", "定西路", "江苏路"), 2.5),
    Neighbourhood("虹桥", "Hongqiao", "changning", 31.2005, 121.4110, ("仙霞路", "遵义路", "延安西路"), 2.0),
    Neighbourhood("古北", "Gubei", "changning", 31.1960, 121.3980, ("黄金城道", "古北路", "红宝石路"), 2.0),
    Neighbourhood("打浦桥", "Dapuqiao", "huangpu", 31.2065, 121.4700, ("打浦路", "徐家汇路", "瑞金南路"), 2.0),
    Neighbourhood("天山", "Tianshan", "changning", 31.2135, 121.3960, ("天山路", "娄山关路", "茅台路"), 2.0),
    Neighbourhood("长寿路", "Changshou Road", "putuo", 31.2420, 121.4380, ("长寿路", "西康路", "胶州路"), 2.0),
    Neighbourhood("曹杨", "Caoyang", "putuo", 31.2450, 121.4120, ("兰溪路", "枣阳路", "曹杨路"), 2.0),
    Neighbourhood("北外滩", "North Bund", "hongkou", 31.2530, 121.4990, ("东大名路", "公平路", "海门路"), 2.0),
    Neighbourhood("四川北路", "Sichuan North Road", "hongkou", 31.2600, 121.4830, ("四川北路", "武进路", "多伦路"), 2.0),
    Neighbourhood("鞍山路", "Anshan Road", "yangpu", 31.2750, 121.5100, ("鞍山路", "控江路", "抚顺路"), 2.0),
    Neighbourhood("世纪公园", "Century Park", "pudong", 31.2160, 121.5470, ("锦绣路", "芳甸路", "梅花路"), 2.0),
    Neighbourhood("张江", "Zhangjiang", "pudong", 31.2040, 121.5900, ("张江路", "祖冲之路", "碧波路"), 2.0),
    Neighbourhood("金桥", "Jinqiao", "pudong", 31.2580, 121.5890, ("碧云路", "金桥路", "红枫路"), 1.5),
    Neighbourhood("花木", "Huamu", "pudong", 31.2050, 121.5420, ("花木路", "白杨路", "樱花路"), 1.5),
    Neighbourhood("三林", "Sanlin", "pudong", 31.1430, 121.5100, ("三林路", "上南路", "永泰路"), 1.5),
    Neighbourhood("新天地", "Xintiandi", "huangpu", 31.2190, 121.4750, ("马当路", "淮海中路", "黄陂南路"), 2.0),
    Neighbourhood("大宁", "Daning", "jingan", 31.2800, 121.4580, ("共和新路", "延长中路", "广中西路"), 1.5),
    Neighbourhood("龙华", "Longhua", "xuhui", 31.1770, 121.4550, ("龙华中路", "龙华西路", "天钥桥南路"), 1.5),
    Neighbourhood("真如", "Zhenru", "putuo", 31.2490, 121.4000, ("真北路", "曹杨路", "铜川路"), 1.5),
    Neighbourhood("四平路", "Siping Road", "yangpu", 31.2830, 121.5000, ("四平路", "赤峰路", "彰武路"), 1.5),
    Neighbourhood("豫园", "Yuyuan", "huangpu", 31.2270, 121.4920, ("人民路", "方浜中路", "河南南路"), 1.5),
    Neighbourhood("塘桥", "Tangqiao", "pudong", 31.2120, 121.5210, ("浦东南路", "蓝村路", "塘桥新路"), 1.5),
    Neighbourhood("七宝", "Qibao", "minhang", 31.1570, 121.3510, ("七莘路", "漕宝路", "新镇路"), 1.5),
    Neighbourhood("莘庄", "Xinzhuang", "minhang", 31.1110, 121.3850, ("莘松路", "都市路", "沪闵路"), 1.5),
    Neighbourhood("古美", "Gumei", "minhang", 31.1510, 121.3980, ("古美路", "平吉路", "顾戴路"), 1.5),
    Neighbourhood("梅陇", "Meilong", "minhang", 31.1250, 121.4250, ("莲花南路", "梅陇路", "虹梅南路"), 1.2),
    Neighbourhood("凉城", "Liangcheng", "hongkou", 31.2900, 121.4700, ("凉城路", "水电路", "广灵四路"), 1.2),
    Neighbourhood("江湾", "Jiangwan", "hongkou", 31.2940, 121.4830, ("逸仙路", "新市南路", "纪念路"), 1.2),
    Neighbourhood("周浦", "Zhoupu", "pudong", 31.1150, 121.5740, ("年家浜路", "沪南公路", "周园路"), 1.2),
    Neighbourhood("康桥", "Kangqiao", "pudong", 31.1380, 121.5660, ("秀沿路", "康桥路", "环桥路"), 1.2),
    Neighbourhood("世博", "Expo", "pudong", 31.1860, 121.4900, ("长清路", "耀华路", "高科西路"), 1.2),
    Neighbourhood("虹桥枢纽", "Hongqiao Hub", "minhang", 31.1950, 121.3230, ("申长路", "申虹路", "润虹路"), 1.2),
    Neighbourhood("彭浦", "Pengpu", "jingan", 31.3050, 121.4450, ("临汾路", "平顺路", "共和新路"), 1.2),
    Neighbourhood("大场", "Dachang", "baoshan", 31.3100, 121.4200, ("场中路", "环镇北路", "大华路"), 1.0),
    Neighbourhood("顾村", "Gucun", "baoshan", 31.3500, 121.3880, ("陆翔路", "沪太路", "泰和西路"), 1.0),
    Neighbourhood("友谊路", "Baoshan Youyi Road", "baoshan", 31.4040, 121.4880, ("友谊路", "牡丹江路", "密山路"), 1.0),
    Neighbourhood("南翔", "Nanxiang", "jiading", 31.2980, 121.3180, ("德园路", "沪宜公路", "真南路"), 1.0),
    Neighbourhood("嘉定老城", "Jiading Old Town", "jiading", 31.3830, 121.2500, ("城中路", "博乐路", "塔城路"), 1.0),
    Neighbourhood("安亭", "Anting", "jiading", 31.2940, 121.1620, ("墨玉路", "博园路", "昌吉路"), 0.8),
    Neighbourhood("松江新城", "Songjiang New Town", "songjiang", 31.0350, 121.2280, ("广富林路", "三新北路", "人民北路"), 1.0),
    Neighbourhood("九亭", "Jiuting", "songjiang", 31.1280, 121.3280, ("沪亭北路", "九亭大街", "涞寅路"), 1.0),
    Neighbourhood("青浦新城", "Qingpu New Town", "qingpu", 31.1510, 121.1240, ("城中东路", "公园路", "青安路"), 0.8),
    Neighbourhood("南桥", "Fengxian Nanqiao", "fengxian", 30.9180, 121.4740, ("百齐路", "南亭公路", "解放东路"), 0.8),
    Neighbourhood("朱家角", "Zhujiajiao", "qingpu", 31.1100, 121.0540, ("祥凝浜路", "课植园路", "沙家埭路"), 0.4),
    Neighbourhood("金山新城", "Jinshan", "jinshan", 30.7400, 121.3420, ("卫清西路", "蒙山路", "龙山路"), 0.4),
    Neighbourhood("城桥", "Chongming Chengqiao", "chongming", 31.6250, 121.3970, ("人民路", "八一路", "东门路"), 0.3),
)

# the urban box that extra stores are kept inside
URBAN_LAT = (30.9, 31.45)
URBAN_LNG = (121.15, 121.75)


class WarehouseSite(NamedTuple):
    zh: str
    en: str
    district: str
    lat: float
    lng: float
    address: str


WAREHOUSE_SITES: tuple[WarehouseSite, ...] = (
    WarehouseSite("嘉定马陆物流园", "Jiading Malu Logistics Park", "jiading", 31.3500, 121.2500,
                  "嘉定区马陆镇宝安公路 2999 号"),
    WarehouseSite("浦东康桥配送中心", "Pudong Kangqiao Distribution Centre", "pudong", 31.1500, 121.5800,
                  "浦东新区康桥镇康士路 88 号"),
    WarehouseSite("宝山杨行仓", "Baoshan Yanghang Warehouse", "baoshan", 31.3800, 121.4300,
                  "宝山区杨行镇杨桃路 501 号"),
    WarehouseSite("闵行浦江仓", "Minhang Pujiang Warehouse", "minhang", 31.0800, 121.5000,
                  "闵行区浦江镇江月路 1800 号"),
    WarehouseSite("松江九亭仓", "Songjiang Jiuting Warehouse", "songjiang", 31.1300, 121.3100,
                  "松江区九亭镇九新公路 339 号"),
    WarehouseSite("青浦华新仓", "Qingpu Huaxin Warehouse", "qingpu", 31.2400, 121.2300,
                  "青浦区华新镇华志路 1000 号"),
    WarehouseSite("外高桥仓", "Waigaoqiao Warehouse", "pudong", 31.3400, 121.6000,
                  "浦东新区外高桥保税区富特北路 211 号"),
    WarehouseSite("闵行华漕仓", "Minhang Huacao Warehouse", "minhang", 31.2200, 121.3000,
                  "闵行区华漕镇纪宏路 666 号"),
    WarehouseSite("奉贤庄行仓", "Fengxian Zhuanghang Warehouse", "fengxian", 30.9300, 121.4000,
                  "奉贤区庄行镇南亭公路 4588 号"),
)
