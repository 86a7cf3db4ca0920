"""The demo catalogue: 20 categories of a Shanghai convenience/neighbourhood chain.

Each category has brands, name modifiers and ~10 base items; an item has spec variants with a
realistic shelf-price range in fen. Products are brand x modifier x item; SKUs are its specs.
"""

from __future__ import annotations

from typing import NamedTuple

Spec = tuple[str, int, int]  # (spec label, min price fen, max price fen)
Brand = tuple[str, str]  # (zh, en)


class Item(NamedTuple):
    key: str
    zh: str
    en: str
    unit: str
    specs: tuple[Spec, ...]
    brands: tuple[Brand, ...] = ()  # overrides the category's brands


class CategoryDef(NamedTuple):
    code: str
    zh: str
    en: str
    demand: float  # relative share of what customers pick
    carry: float  # relative share of a store's shelf space
    cycle_days: float  # typical repurchase cycle
    parcel: float  # how often online orders of this category go by parcel
    brands: tuple[Brand, ...]
    modifiers: tuple[Brand, ...]  # ("", "") = plain
    items: tuple[Item, ...]


def I(key: str, zh: str, en: str, unit: str, *specs: Spec, brands: tuple[Brand, ...] = ()) -> Item:  # noqa: E743
    return Item(key, zh, en, unit, specs, brands)


PLAIN: Brand = ("", "")

CATEGORIES: tuple[CategoryDef, ...] = (
    CategoryDef("fresh", "生鲜", "Fresh produce", 1.6, 1.3, 4, 0.02,
                (("本地农场", "Local Farm"), ("光明农场", "Bright Farm"), ("崇明", "Chongming")),
                (PLAIN, ("有机", "Organic"), ("精选", "Select")), (
        I("eggs", "鲜鸡蛋", "Fresh eggs", "盒", ("10枚", 1290, 1990), ("30枚", 2990, 4590), brands=(("德青源", "DQY"), ("圣迪乐村", "Sundaily"), ("光明农场", "Bright Farm"))),
        I("tomatoes", "西红柿", "Tomatoes", "袋", ("500g", 490, 890), ("1kg", 890, 1590)),
        I("apples", "红富士苹果", "Fuji apples", "袋", ("4个装", 1590, 2590), ("1.5kg", 2490, 3990), brands=(("百果园", "Pagoda"), ("都乐", "Dole"), ("本地农场", "Local Farm"))),
        I("bananas", "香蕉", "Bananas", "把", ("1kg", 690, 1290), brands=(("百果园", "Pagoda"), ("都乐", "Dole"), ("本地农场", "Local Farm"))),
        I("kiwi", "猕猴桃", "Kiwi fruit", "盒", ("6个装", 1990, 3990), ("12个装", 3590, 6990), brands=(("佳沛", "Zespri"), ("百果园", "Pagoda"))),
        I("bok_choy", "上海青", "Bok choy", "袋", ("300g", 290, 590), ("500g", 450, 890)),
        I("pork", "猪肉", "Pork", "盒", ("里脊 400g", 2290, 3490), ("五花 500g", 2690, 3990)),
        I("chicken", "鸡胸肉", "Chicken breast", "盒", ("500g", 1590, 2290), ("1kg", 2890, 3990)),
        I("salmon", "三文鱼", "Salmon", "盒", ("200g", 4990, 6990), ("400g", 8990, 12990), brands=(("挪威", "Norwegian"), ("智利", "Chilean"))),
        I("potatoes", "土豆", "Potatoes", "袋", ("1kg", 390, 690), ("2.5kg", 890, 1490)),
        I("strawberries", "草莓", "Strawberries", "盒", ("300g", 2990, 4990), brands=(("百果园", "Pagoda"), ("都乐", "Dole"), ("本地农场", "Local Farm"))),
    )),
    CategoryDef("dairy", "乳品", "Dairy", 1.4, 1.0, 5, 0.03,
                (("光明", "Bright"), ("蒙牛", "Mengniu"), ("伊利", "Yili"), ("君乐宝", "Junlebao"), ("简爱", "Simplelove")),
                (PLAIN, ("低脂", "Low-fat"), ("有机", "Organic"), ("高钙", "High-calcium")), (
        I("milk", "纯牛奶", "Whole milk", "箱", ("250ml×12", 4590, 6990), ("250ml×24", 7990, 11990), ("1L", 1290, 1890)),
        I("fresh_milk", "鲜牛奶", "Fresh milk", "瓶", ("950ml", 1490, 2290), ("450ml", 790, 1190)),
        I("yogurt", "酸奶", "Yogurt", "杯", ("100g×8", 1590, 2590), ("1kg", 1690, 2490), ("200g", 590, 990)),
        I("cheese_sticks", "奶酪棒", "Cheese sticks", "袋", ("20支", 3990, 5990), ("10支", 2190, 3290)),
        I("butter", "黄油", "Butter", "块", ("227g", 2990, 4590)),
        I("probiotic", "乳酸菌饮品", "Probiotic drink", "排", ("100ml×5", 990, 1490), ("340ml", 590, 890)),
        I("cream", "淡奶油", "Whipping cream", "盒", ("250ml", 1890, 2990), ("1L", 5590, 7990)),
        I("milk_powder", "成人奶粉", "Adult milk powder", "罐", ("800g", 8990, 14990), ("400g", 4990, 7990)),
        I("soy_milk", "豆奶", "Soy milk", "箱", ("250ml×12", 3590, 4990), ("1L", 990, 1490)),
        I("kids_milk", "儿童成长奶", "Kids growth milk", "箱", ("190ml×15", 5990, 8990)),
    )),
    CategoryDef("beverages", "饮料", "Beverages", 1.4, 1.0, 6, 0.05,
                (("可口可乐", "Coca-Cola"), ("百事", "Pepsi"), ("农夫山泉", "Nongfu Spring"), ("元气森林", "Genki Forest"),
                 ("康师傅", "Master Kong"), ("统一", "Uni-President")),
                (PLAIN, ("无糖", "Sugar-free"), ("经典", "Classic")), (
        I("cola", "可乐", "Cola", "瓶", ("330ml×6", 1590, 2290), ("2L", 690, 990), ("500ml", 300, 450), ("330ml×24", 4990, 6990), brands=(("可口可乐", "Coca-Cola"), ("百事", "Pepsi"))),
        I("water", "饮用天然水", "Natural water", "瓶", ("550ml×24", 2490, 3490), ("4L", 890, 1290), ("550ml", 200, 300), brands=(("农夫山泉", "Nongfu Spring"), ("怡宝", "C'estbon"), ("百岁山", "Ganten"))),
        I("sparkling", "气泡水", "Sparkling water", "瓶", ("480ml", 450, 650), ("480ml×15", 5490, 7490), brands=(("元气森林", "Genki Forest"), ("屈臣氏", "Watsons"))),
        I("iced_tea", "冰红茶", "Iced tea", "瓶", ("500ml", 300, 450), ("1L", 590, 790), ("500ml×15", 3990, 5490), brands=(("康师傅", "Master Kong"), ("统一", "Uni-President"))),
        I("juice", "橙汁", "Orange juice", "瓶", ("1L", 1290, 2290), ("300ml", 590, 890), brands=(("味全", "Weichuan"), ("农夫山泉", "Nongfu Spring"))),
        I("green_tea", "绿茶", "Green tea", "瓶", ("500ml", 300, 450), ("500ml×15", 3990, 5490), brands=(("康师傅", "Master Kong"), ("统一", "Uni-President"), ("三得利", "Suntory"))),
        I("rtd_coffee", "即饮咖啡", "Ready-to-drink coffee", "瓶", ("268ml", 590, 890), ("268ml×6", 3290, 4590), brands=(("雀巢", "Nestlé"), ("星巴克", "Starbucks"))),
        I("energy", "功能饮料", "Energy drink", "罐", ("250ml", 550, 750), ("250ml×24", 11990, 14990), brands=(("红牛", "Red Bull"), ("东鹏", "Eastroc"))),
        I("coconut", "椰子水", "Coconut water", "瓶", ("330ml", 890, 1290), ("1L", 1990, 2990), brands=(("椰树", "Coconut Palm"), ("if", "if"))),
        I("sports", "运动饮料", "Sports drink", "瓶", ("600ml", 450, 650), ("600ml×15", 5490, 7490), brands=(("佳得乐", "Gatorade"), ("宝矿力水特", "Pocari Sweat"))),
    )),
    CategoryDef("snacks", "零食", "Snacks", 1.3, 1.1, 7, 0.06,
                (("三只松鼠", "Three Squirrels"), ("良品铺子", "Bestore"), ("百草味", "Be&Cheery"), ("洽洽", "Chacha")),
                (PLAIN, ("经典", "Classic"), ("家庭装", "Family pack"), ("香辣", "Spicy")), (
        I("chips", "薯片", "Potato chips", "袋", ("70g", 690, 990), ("135g", 1190, 1590), ("40g×6", 1990, 2590), brands=(("乐事", "Lay's"), ("可比克", "Copico"), ("上好佳", "Oishi"))),
        I("nuts", "每日坚果", "Daily nuts", "盒", ("25g×30", 9990, 14990), ("25g×7", 2990, 4290)),
        I("cookies", "夹心饼干", "Sandwich cookies", "盒", ("97g", 590, 890), ("388g", 1990, 2690), brands=(("奥利奥", "Oreo"), ("趣多多", "Chips Ahoy"))),
        I("rice_crackers", "雪饼", "Rice crackers", "袋", ("84g", 690, 990), ("520g", 2490, 3290), brands=(("旺旺", "Want Want"),)),
        I("chocolate", "巧克力", "Chocolate", "块", ("43g", 590, 890), ("252g", 3290, 4590), brands=(("德芙", "Dove"), ("费列罗", "Ferrero"), ("士力架", "Snickers"))),
        I("jerky", "牛肉干", "Beef jerky", "袋", ("100g", 2590, 3990), ("250g", 5990, 8590)),
        I("gummies", "软糖", "Gummies", "袋", ("80g", 690, 990), ("200g", 1490, 2190), brands=(("旺旺", "Want Want"), ("徐福记", "Hsu Fu Chi"), ("彩虹", "Skittles"))),
        I("seaweed", "海苔", "Seaweed snack", "盒", ("4.5g×12", 1990, 2990)),
        I("sunflower", "瓜子", "Sunflower seeds", "袋", ("260g", 990, 1490), ("500g", 1690, 2490)),
        I("peanuts", "花生", "Peanuts", "袋", ("170g", 690, 1090), ("500g", 1590, 2290)),
    )),
    CategoryDef("grain", "粮油", "Grain & oil", 0.9, 0.9, 20, 0.10,
                (("金龙鱼", "Arawana"), ("福临门", "Fortune"), ("鲁花", "Luhua"), ("十月稻田", "October Rice"), ("五常", "Wuchang")),
                (PLAIN, ("优选", "Premium"), ("东北", "Northeast")), (
        I("rice", "大米", "Rice", "袋", ("5kg", 3990, 6990), ("10kg", 6990, 11990), ("2.5kg", 2290, 3990)),
        I("oil", "食用调和油", "Blended cooking oil", "桶", ("5L", 5990, 8990), ("1.8L", 2490, 3590)),
        I("flour", "面粉", "Wheat flour", "袋", ("2.5kg", 1490, 2290), ("5kg", 2690, 3990)),
        I("noodles", "方便面", "Instant noodles", "袋", ("5连包", 1190, 1690), ("桶装", 450, 650), ("12桶", 5490, 6990),
          brands=(("康师傅", "Master Kong"), ("统一", "Uni-President"), ("日清", "Nissin"), ("白象", "Baixiang"))),
        I("dried_noodles", "挂面", "Dried noodles", "把", ("1kg", 890, 1490), ("500g", 490, 790)),
        I("millet", "小米", "Millet", "袋", ("1kg", 1290, 1990)),
        I("oats", "燕麦片", "Rolled oats", "袋", ("1kg", 1990, 2990), ("500g", 1190, 1690)),
        I("peanut_oil", "花生油", "Peanut oil", "桶", ("5L", 12990, 17990), ("900ml", 2990, 3990)),
        I("sesame_oil", "芝麻香油", "Sesame oil", "瓶", ("220ml", 1590, 2490)),
        I("red_beans", "红豆", "Red beans", "袋", ("500g", 890, 1390)),
    )),
    CategoryDef("condiments", "调味", "Condiments", 0.6, 0.8, 30, 0.05,
                (("海天", "Haitian"), ("李锦记", "Lee Kum Kee"), ("老干妈", "Laoganma"), ("恒顺", "Hengshun"), ("太太乐", "Totole")),
                (PLAIN, ("特级", "Premium"), ("减盐", "Reduced-salt")), (
        I("soy_sauce", "生抽", "Light soy sauce", "瓶", ("500ml", 790, 1290), ("1.9L", 2290, 3290)),
        I("dark_soy", "老抽", "Dark soy sauce", "瓶", ("500ml", 890, 1390)),
        I("vinegar", "香醋", "Black vinegar", "瓶", ("500ml", 690, 1090)),
        I("oyster_sauce", "蚝油", "Oyster sauce", "瓶", ("520g", 990, 1590)),
        I("chili_sauce", "辣椒酱", "Chili sauce", "瓶", ("280g", 990, 1490), ("210g", 790, 1190), brands=(("老干妈", "Laoganma"), ("李锦记", "Lee Kum Kee"))),
        I("salt", "食用盐", "Table salt", "袋", ("400g", 250, 450)),
        I("sugar", "白砂糖", "White sugar", "袋", ("1kg", 990, 1490), ("500g", 590, 890)),
        I("chicken_essence", "鸡精", "Chicken bouillon", "袋", ("200g", 990, 1490)),
        I("cooking_wine", "料酒", "Cooking wine", "瓶", ("500ml", 590, 990)),
        I("hotpot_base", "火锅底料", "Hotpot base", "袋", ("200g", 1290, 1990), ("400g", 2290, 3290)),
    )),
    CategoryDef("frozen", "冷冻", "Frozen", 0.8, 0.8, 10, 0.0,
                (("思念", "Synear"), ("湾仔码头", "Wanchai Ferry"), ("三全", "Sanquan"), ("必品阁", "Bibigo"), ("安井", "Anjoy")),
                (PLAIN, ("手工", "Handmade"), ("家庭装", "Family pack")), (
        I("dumplings", "水饺", "Dumplings", "袋", ("500g", 1590, 2490), ("1kg", 2790, 3990)),
        I("tangyuan", "汤圆", "Glutinous rice balls", "袋", ("400g", 1190, 1790)),
        I("wontons", "馄饨", "Wontons", "袋", ("500g", 1690, 2490)),
        I("baozi", "包子", "Steamed buns", "袋", ("6个", 1290, 1890), ("12个", 2290, 3290)),
        I("ice_cream", "冰淇淋", "Ice cream", "盒", ("4支装", 2390, 3590), ("500g", 2990, 4590)),
        I("fish_balls", "鱼丸", "Fish balls", "袋", ("500g", 1490, 2190)),
        I("shrimp", "虾仁", "Shrimp meat", "袋", ("300g", 3990, 5990)),
        I("pizza", "披萨", "Pizza", "盒", ("7寸", 1990, 2990), ("9寸", 2990, 3990)),
        I("nuggets", "鸡块", "Chicken nuggets", "袋", ("500g", 2290, 3290)),
        I("frozen_corn", "速冻玉米粒", "Frozen sweetcorn", "袋", ("500g", 690, 1090)),
    )),
    CategoryDef("bakery", "烘焙", "Bakery", 1.0, 0.9, 4, 0.0,
                (("桃李", "Toly"), ("曼可顿", "Mankattan"), ("宾堡", "Bimbo"), ("好利来", "Holiland"), ("巴黎贝甜", "Paris Baguette")),
                (PLAIN, ("全麦", "Wholemeal"), ("奶香", "Milky")), (
        I("bread", "吐司面包", "Toast bread", "袋", ("400g", 890, 1390), ("700g", 1390, 1990)),
        I("croissant", "可颂", "Croissant", "个", ("单个", 590, 990), ("4个装", 1990, 2990)),
        I("sponge_cake", "蛋糕", "Sponge cake", "盒", ("6枚", 1290, 1890)),
        I("baguette", "法棍", "Baguette", "根", ("单根", 890, 1290)),
        I("muffin", "玛芬", "Muffin", "个", ("单个", 690, 990), ("4个装", 2390, 3290)),
        I("egg_tart", "葡式蛋挞", "Portuguese egg tart", "盒", ("4个装", 1590, 2390)),
        I("bagel", "贝果", "Bagel", "个", ("单个", 890, 1290)),
        I("donut", "甜甜圈", "Donut", "个", ("单个", 690, 1090)),
        I("sandwich", "三明治", "Sandwich", "盒", ("火腿芝士", 1190, 1690), ("鸡蛋金枪鱼", 1290, 1790)),
        I("rolls", "餐包", "Dinner rolls", "袋", ("8个装", 990, 1490)),
    )),
    CategoryDef("personal_care", "个护", "Personal care", 0.7, 0.8, 30, 0.25,
                (("高露洁", "Colgate"), ("云南白药", "Yunnan Baiyao"), ("海飞丝", "Head & Shoulders"), ("舒肤佳", "Safeguard"),
                 ("潘婷", "Pantene"), ("多芬", "Dove")),
                (PLAIN, ("清爽", "Fresh"), ("深层", "Deep-care")), (
        I("toothpaste", "牙膏", "Toothpaste", "支", ("120g", 990, 1990), ("180g×2", 2990, 4590), brands=(("高露洁", "Colgate"), ("云南白药", "Yunnan Baiyao"), ("佳洁士", "Crest"))),
        I("toothbrush", "牙刷", "Toothbrush", "支", ("2支装", 1290, 2290), ("4支装", 2290, 3590), brands=(("高露洁", "Colgate"), ("云南白药", "Yunnan Baiyao"), ("佳洁士", "Crest"))),
        I("shampoo", "洗发水", "Shampoo", "瓶", ("400ml", 3990, 5990), ("750ml", 5990, 8990), brands=(("海飞丝", "Head & Shoulders"), ("潘婷", "Pantene"), ("多芬", "Dove"))),
        I("conditioner", "护发素", "Conditioner", "瓶", ("400ml", 3990, 5990), brands=(("海飞丝", "Head & Shoulders"), ("潘婷", "Pantene"), ("多芬", "Dove"))),
        I("body_wash", "沐浴露", "Body wash", "瓶", ("720ml", 3490, 5490), ("1L", 4990, 6990), brands=(("舒肤佳", "Safeguard"), ("多芬", "Dove"), ("六神", "Liushen"))),
        I("hand_soap", "洗手液", "Hand soap", "瓶", ("500g", 1990, 2990), brands=(("舒肤佳", "Safeguard"), ("多芬", "Dove"), ("六神", "Liushen"))),
        I("razor", "剃须刀", "Razor", "个", ("1刀架2刀头", 3990, 6990), brands=(("吉列", "Gillette"), ("舒适", "Schick"))),
        I("mouthwash", "漱口水", "Mouthwash", "瓶", ("500ml", 2990, 4590), brands=(("高露洁", "Colgate"), ("云南白药", "Yunnan Baiyao"), ("佳洁士", "Crest"))),
        I("pads", "卫生巾", "Sanitary pads", "包", ("日用10片", 1590, 2490), ("夜用8片", 1890, 2890),
          brands=(("苏菲", "Sofy"), ("护舒宝", "Whisper"), ("七度空间", "Space 7"))),
        I("cotton_swabs", "棉签", "Cotton swabs", "盒", ("200支", 590, 990)),
    )),
    CategoryDef("household", "家清", "Household cleaning", 0.7, 0.8, 25, 0.25,
                (("妙洁", "Magic Clean"), ("美丽雅", "Meiliya"), ("茶花", "Camellia")),
                (PLAIN, ("植物", "Plant-based"), ("家庭装", "Family pack")), (
        I("laundry", "洗衣液", "Laundry detergent", "瓶", ("2kg", 3990, 5990), ("3kg", 5490, 7990), brands=(("蓝月亮", "Bluemoon"), ("立白", "Liby"), ("奥妙", "Omo"), ("威猛先生", "Mr Muscle"))),
        I("dish_soap", "洗洁精", "Dish soap", "瓶", ("1.29kg", 1490, 2290), brands=(("蓝月亮", "Bluemoon"), ("立白", "Liby"), ("奥妙", "Omo"), ("威猛先生", "Mr Muscle"))),
        I("tissues", "抽纸", "Facial tissues", "提", ("3层100抽×6", 1990, 2990), ("3层120抽×18", 5490, 7990), brands=(("维达", "Vinda"), ("清风", "Breeze"), ("心相印", "Mind Act Upon Mind"))),
        I("toilet_paper", "卷纸", "Toilet paper", "提", ("4层×10卷", 2990, 3990), ("4层×27卷", 6990, 8990), brands=(("维达", "Vinda"), ("清风", "Breeze"), ("心相印", "Mind Act Upon Mind"))),
        I("trash_bags", "垃圾袋", "Trash bags", "卷", ("45×50cm 100只", 1290, 1990)),
        I("kitchen_cleaner", "厨房清洁剂", "Kitchen cleaner", "瓶", ("500g", 1990, 2990), brands=(("蓝月亮", "Bluemoon"), ("立白", "Liby"), ("奥妙", "Omo"), ("威猛先生", "Mr Muscle"))),
        I("softener", "柔顺剂", "Fabric softener", "瓶", ("1L", 2990, 4290), brands=(("蓝月亮", "Bluemoon"), ("立白", "Liby"), ("奥妙", "Omo"), ("威猛先生", "Mr Muscle"))),
        I("wet_wipes", "湿巾", "Wet wipes", "包", ("80抽", 990, 1590), brands=(("维达", "Vinda"), ("清风", "Breeze"), ("心相印", "Mind Act Upon Mind"))),
        I("mop", "平板拖把", "Flat mop", "把", ("标准款", 4990, 8990)),
        I("scourers", "百洁布", "Scouring pads", "包", ("10片", 690, 1090)),
    )),
    CategoryDef("baby", "母婴", "Baby", 0.5, 0.6, 12, 0.35,
                (("贝亲", "Pigeon"), ("好奇", "Huggies"), ("嘉宝", "Gerber"), ("强生", "Johnson's")),
                (PLAIN, ("超薄", "Ultra-thin"), ("有机", "Organic")), (
        I("diapers", "纸尿裤", "Diapers", "包", ("S 84片", 12990, 17990), ("M 64片", 12990, 17990), ("L 54片", 12990, 17990),
          ("XL 44片", 12990, 17990), brands=(("帮宝适", "Pampers"), ("花王", "Merries"), ("好奇", "Huggies"))),
        I("baby_wipes", "婴儿湿巾", "Baby wipes", "包", ("80抽×3", 2990, 4590), brands=(("帮宝适", "Pampers"), ("花王", "Merries"), ("好奇", "Huggies"))),
        I("formula", "婴儿配方奶粉", "Infant formula", "罐", ("800g", 24990, 38990), ("400g", 13990, 20990), brands=(("飞鹤", "Feihe"), ("爱他美", "Aptamil"), ("惠氏", "Wyeth"))),
        I("rice_cereal", "婴儿米粉", "Baby rice cereal", "罐", ("225g", 5990, 8990)),
        I("bottle", "奶瓶", "Feeding bottle", "个", ("160ml", 7990, 12990), ("240ml", 8990, 13990)),
        I("baby_wash", "婴儿洗发沐浴露", "Baby shampoo & wash", "瓶", ("500ml", 4990, 6990)),
        I("pull_ups", "拉拉裤", "Pull-ups", "包", ("L 44片", 11990, 16990), ("XL 38片", 11990, 16990), brands=(("帮宝适", "Pampers"), ("花王", "Merries"), ("好奇", "Huggies"))),
        I("baby_lotion", "婴儿润肤乳", "Baby lotion", "瓶", ("200ml", 4590, 6990)),
        I("teether", "牙胶", "Teether", "个", ("单个", 3990, 6990)),
        I("fruit_puree", "果泥", "Fruit puree", "袋", ("100g×6", 4990, 6990)),
    )),
    CategoryDef("pet", "宠物", "Pet", 0.4, 0.5, 20, 0.40,
                (("皇家", "Royal Canin"), ("渴望", "Orijen"), ("麦富迪", "Myfoodie"), ("伟嘉", "Whiskas"), ("宝路", "Pedigree")),
                (PLAIN, ("天然", "Natural"), ("全价", "Complete")), (
        I("cat_food", "猫粮", "Cat food", "袋", ("2kg", 8990, 19990), ("10kg", 29990, 59990), brands=(("皇家", "Royal Canin"), ("渴望", "Orijen"), ("伟嘉", "Whiskas"), ("麦富迪", "Myfoodie"))),
        I("dog_food", "狗粮", "Dog food", "袋", ("2kg", 7990, 15990), ("15kg", 29990, 49990), brands=(("皇家", "Royal Canin"), ("宝路", "Pedigree"), ("麦富迪", "Myfoodie"))),
        I("cat_litter", "猫砂", "Cat litter", "袋", ("豆腐砂 6L", 2490, 3990), ("膨润土 10kg", 2990, 4590)),
        I("cat_treats", "猫条", "Cat treats", "盒", ("15g×20", 2990, 4590), brands=(("皇家", "Royal Canin"), ("渴望", "Orijen"), ("伟嘉", "Whiskas"), ("麦富迪", "Myfoodie"))),
        I("dog_treats", "狗零食", "Dog treats", "袋", ("鸡肉干 400g", 3990, 5990), brands=(("皇家", "Royal Canin"), ("宝路", "Pedigree"), ("麦富迪", "Myfoodie"))),
        I("canned_cat", "猫罐头", "Canned cat food", "罐", ("85g", 590, 1290), ("85g×24", 11990, 24990), brands=(("皇家", "Royal Canin"), ("渴望", "Orijen"), ("伟嘉", "Whiskas"), ("麦富迪", "Myfoodie"))),
        I("pet_shampoo", "宠物沐浴露", "Pet shampoo", "瓶", ("500ml", 3990, 5990)),
        I("pee_pads", "宠物尿垫", "Pee pads", "包", ("60×60cm 50片", 3990, 5990)),
        I("cat_teaser", "逗猫棒", "Cat teaser", "个", ("羽毛款", 990, 1990)),
        I("pet_bowl", "宠物碗", "Pet bowl", "个", ("不锈钢", 1990, 3990)),
    )),
    CategoryDef("wine", "酒水", "Wine & spirits", 0.6, 0.6, 10, 0.10,
                (("青岛", "Tsingtao"), ("百威", "Budweiser"), ("张裕", "Changyu"), ("五粮液", "Wuliangye"), ("奔富", "Penfolds")),
                (PLAIN, ("经典", "Classic"), ("窖藏", "Reserve")), (
        I("beer", "啤酒", "Beer", "罐", ("500ml", 590, 890), ("500ml×12", 5990, 8990), ("330ml×24", 7990, 10990), brands=(("青岛", "Tsingtao"), ("百威", "Budweiser"), ("哈尔滨", "Harbin"), ("雪花", "Snow"))),
        I("craft_beer", "精酿啤酒", "Craft beer", "瓶", ("330ml", 1290, 2490), ("330ml×6", 6990, 12990), brands=(("拳击猫", "Boxing Cat"), ("鹅岛", "Goose Island"), ("优布劳", "Ubrew"))),
        I("red_wine", "赤霞珠红葡萄酒", "Cabernet Sauvignon", "瓶", ("750ml", 6990, 29990), brands=(("张裕", "Changyu"), ("长城", "Great Wall"), ("奔富", "Penfolds"))),
        I("white_wine", "霞多丽白葡萄酒", "Chardonnay", "瓶", ("750ml", 5990, 19990), brands=(("张裕", "Changyu"), ("长城", "Great Wall"), ("奔富", "Penfolds"))),
        I("baijiu", "白酒", "Baijiu", "瓶", ("500ml 52度", 19990, 109990), ("100ml", 3990, 9990), brands=(("五粮液", "Wuliangye"), ("洋河", "Yanghe"), ("汾酒", "Fenjiu"), ("泸州老窖", "Luzhou Laojiao"))),
        I("rice_wine", "黄酒", "Shaoxing rice wine", "瓶", ("500ml", 1290, 2990), brands=(("古越龙山", "Guyue Longshan"), ("石库门", "Shikumen"))),
        I("whisky", "威士忌", "Whisky", "瓶", ("700ml", 12990, 39990), brands=(("尊尼获加", "Johnnie Walker"), ("格兰菲迪", "Glenfiddich"))),
        I("sake", "清酒", "Sake", "瓶", ("720ml", 7990, 19990), brands=(("獭祭", "Dassai"), ("月桂冠", "Gekkeikan"))),
        I("fruit_wine", "果酒", "Fruit wine", "瓶", ("330ml", 1590, 2590), brands=(("锐澳", "RIO"), ("梅见", "Meijian"))),
        I("sparkling_wine", "起泡酒", "Sparkling wine", "瓶", ("750ml", 7990, 19990), brands=(("张裕", "Changyu"), ("长城", "Great Wall"), ("奔富", "Penfolds"))),
    )),
    CategoryDef("appliances", "小家电", "Small appliances", 0.12, 0.35, 365, 0.70,
                (("美的", "Midea"), ("九阳", "Joyoung"), ("小米", "Xiaomi"), ("苏泊尔", "Supor"), ("飞利浦", "Philips")),
                (PLAIN, ("智能", "Smart"), ("迷你", "Mini")), (
        I("kettle", "电热水壶", "Electric kettle", "台", ("1.5L", 8990, 19990), ("1.7L", 9990, 22990)),
        I("rice_cooker", "电饭煲", "Rice cooker", "台", ("3L", 19990, 39990), ("4L", 24990, 59990)),
        I("air_fryer", "空气炸锅", "Air fryer", "台", ("4.5L", 29990, 59990), ("6L", 39990, 79990)),
        I("blender", "破壁机", "High-speed blender", "台", ("1.75L", 39990, 99990)),
        I("hair_dryer", "吹风机", "Hair dryer", "台", ("1800W", 9990, 39990)),
        I("e_toothbrush", "电动牙刷", "Electric toothbrush", "支", ("声波款", 9990, 39990)),
        I("fan", "电风扇", "Electric fan", "台", ("落地扇", 14990, 39990), ("台式", 7990, 19990)),
        I("humidifier", "加湿器", "Humidifier", "台", ("4L", 9990, 29990)),
        I("toaster", "多士炉", "Toaster", "台", ("2片式", 9990, 19990)),
        I("soymilk_maker", "豆浆机", "Soymilk maker", "台", ("1.2L", 19990, 49990)),
    )),
    CategoryDef("digital", "数码配件", "Digital accessories", 0.3, 0.5, 120, 0.55,
                (("小米", "Xiaomi"), ("倍思", "Baseus"), ("绿联", "Ugreen"), ("安克", "Anker"), ("华为", "Huawei")),
                (PLAIN, ("快充", "Fast-charge"), ("便携", "Portable")), (
        I("charger", "充电器", "Charger", "个", ("20W", 3990, 7990), ("65W", 9990, 19990)),
        I("cable", "数据线", "Charging cable", "根", ("USB-C 1m", 1990, 3990), ("USB-C 2m", 2490, 4990), ("Lightning 1m", 2990, 5990)),
        I("power_bank", "充电宝", "Power bank", "个", ("10000mAh", 7990, 14990), ("20000mAh", 11990, 19990)),
        I("earbuds", "蓝牙耳机", "Wireless earbuds", "副", ("标准版", 9990, 39990), ("降噪版", 29990, 79990)),
        I("phone_case", "手机壳", "Phone case", "个", ("透明款", 1990, 4990), ("磨砂款", 2990, 5990)),
        I("screen_protector", "钢化膜", "Screen protector", "片", ("2片装", 1990, 3990)),
        I("mouse", "无线鼠标", "Wireless mouse", "个", ("静音款", 4990, 12990)),
        I("keyboard", "蓝牙键盘", "Bluetooth keyboard", "个", ("便携款", 9990, 24990)),
        I("usb_drive", "U盘", "USB drive", "个", ("64GB", 3990, 6990), ("128GB", 5990, 11990)),
        I("smart_band", "智能手环", "Smart band", "个", ("标准版", 14990, 29990)),
    )),
    CategoryDef("stationery", "文具", "Stationery", 0.3, 0.5, 30, 0.30,
                (("晨光", "M&G"), ("得力", "Deli"), ("百乐", "Pilot"), ("国誉", "Kokuyo"), ("齐心", "Comix")),
                (PLAIN, ("学生", "Student"), ("办公", "Office")), (
        I("gel_pen", "中性笔", "Gel pen", "盒", ("0.5mm 12支", 1590, 2990), ("0.38mm 12支", 1890, 3490)),
        I("notebook", "笔记本", "Notebook", "本", ("A5", 690, 1590), ("B5", 890, 1990)),
        I("pencil", "铅笔", "Pencils", "盒", ("HB 10支", 790, 1290)),
        I("eraser", "橡皮", "Eraser", "块", ("4B", 190, 490)),
        I("sticky_notes", "便利贴", "Sticky notes", "本", ("76×76mm", 390, 890)),
        I("stapler", "订书机", "Stapler", "个", ("12号", 1590, 2990)),
        I("folder", "文件夹", "File folder", "个", ("A4", 590, 1290)),
        I("highlighter", "荧光笔", "Highlighters", "盒", ("6色", 1290, 2490)),
        I("tape", "透明胶带", "Clear tape", "卷", ("48mm", 390, 690)),
        I("a4_paper", "复印纸", "A4 copy paper", "包", ("70g 500张", 2290, 3290)),
    )),
    CategoryDef("home", "家居", "Home", 0.3, 0.5, 90, 0.50,
                (("网易严选", "Yanxuan"), ("名创优品", "Miniso"), ("富安娜", "Fuanna"), ("罗莱", "Luolai")),
                (PLAIN, ("北欧", "Nordic"), ("简约", "Minimal")), (
        I("towel", "纯棉毛巾", "Cotton towel", "条", ("34×76cm", 1990, 3990), ("浴巾 70×140cm", 5990, 9990)),
        I("pillow", "枕头", "Pillow", "个", ("48×74cm", 4990, 12990)),
        I("storage_box", "收纳箱", "Storage box", "个", ("30L", 3990, 6990), ("60L", 5990, 9990)),
        I("food_container", "保鲜盒", "Food container", "套", ("3件套", 3990, 7990), brands=(("乐扣乐扣", "Lock&Lock"), ("膳魔师", "Thermos"))),
        I("cup", "保温杯", "Insulated cup", "个", ("350ml", 4990, 14990), ("500ml", 5990, 16990), brands=(("乐扣乐扣", "Lock&Lock"), ("膳魔师", "Thermos"))),
        I("hangers", "衣架", "Hangers", "包", ("10只", 1590, 2990)),
        I("slippers", "拖鞋", "Slippers", "双", ("38-39", 1990, 4990), ("42-43", 1990, 4990)),
        I("bedsheet", "床单", "Bed sheet", "件", ("1.5m", 9990, 19990), ("1.8m", 11990, 22990)),
        I("knife", "菜刀", "Kitchen knife", "把", ("中片刀", 9990, 39990), brands=(("双立人", "Zwilling"), ("张小泉", "Zhang Xiaoquan"))),
        I("umbrella", "折叠伞", "Folding umbrella", "把", ("三折", 3990, 8990)),
    )),
    CategoryDef("apparel", "服饰", "Apparel", 0.3, 0.4, 120, 0.60,
                (("优衣库", "Uniqlo"), ("海澜之家", "HLA"), ("李宁", "Li-Ning"), ("安踏", "Anta"), ("森马", "Semir")),
                (PLAIN, ("纯棉", "Cotton"), ("运动", "Sport")), (
        I("tshirt", "T恤", "T-shirt", "件", ("M", 4990, 9990), ("L", 4990, 9990), ("XL", 4990, 9990)),
        I("socks", "袜子", "Socks", "包", ("5双装", 2990, 5990)),
        I("underwear", "内裤", "Underwear", "包", ("3条装 M", 5990, 9990), ("3条装 L", 5990, 9990)),
        I("hoodie", "卫衣", "Hoodie", "件", ("M", 12990, 25990), ("L", 12990, 25990), ("XL", 12990, 25990)),
        I("jeans", "牛仔裤", "Jeans", "条", ("30", 19990, 39990), ("32", 19990, 39990), ("34", 19990, 39990)),
        I("jacket", "夹克", "Jacket", "件", ("M", 29990, 59990), ("L", 29990, 59990)),
        I("pajamas", "睡衣套装", "Pajama set", "套", ("M", 9990, 19990), ("L", 9990, 19990)),
        I("cap", "棒球帽", "Baseball cap", "顶", ("均码", 3990, 9990)),
        I("scarf", "围巾", "Scarf", "条", ("均码", 5990, 15990)),
        I("sneakers", "运动鞋", "Sneakers", "双", ("40", 29990, 69990), ("42", 29990, 69990), ("44", 29990, 69990)),
    )),
    CategoryDef("beauty", "美妆", "Beauty", 0.4, 0.5, 45, 0.45,
                (("百雀羚", "Pechoin"), ("完美日记", "Perfect Diary"), ("欧莱雅", "L'Oréal"), ("自然堂", "Chando"), ("花西子", "Florasis")),
                (PLAIN, ("保湿", "Hydrating"), ("修护", "Repair")), (
        I("lipstick", "口红", "Lipstick", "支", ("#01 正红", 8990, 19990), ("#05 豆沙", 8990, 19990)),
        I("face_cream", "面霜", "Face cream", "瓶", ("50ml", 12990, 39990)),
        I("sunscreen", "防晒霜", "Sunscreen", "支", ("SPF50 50ml", 7990, 19990)),
        I("face_mask", "面膜", "Sheet masks", "盒", ("10片", 5990, 12990)),
        I("cleanser", "洁面乳", "Facial cleanser", "支", ("100g", 3990, 8990)),
        I("toner", "爽肤水", "Toner", "瓶", ("200ml", 7990, 16990)),
        I("serum", "精华液", "Serum", "瓶", ("30ml", 19990, 49990)),
        I("foundation", "粉底液", "Foundation", "瓶", ("30ml", 12990, 29990)),
        I("hand_cream", "护手霜", "Hand cream", "支", ("50g", 1990, 4990)),
        I("makeup_remover", "卸妆水", "Makeup remover", "瓶", ("400ml", 5990, 11990)),
    )),
    CategoryDef("health", "保健", "Health", 0.3, 0.5, 30, 0.40,
                (("汤臣倍健", "By-health"), ("善存", "Centrum"), ("斯维诗", "Swisse"), ("同仁堂", "Tongrentang"), ("钙尔奇", "Caltrate")),
                (PLAIN, ("成人", "Adult"), ("中老年", "Senior")), (
        I("multivitamin", "复合维生素", "Multivitamin", "瓶", ("60片", 9990, 19990), ("100片", 14990, 29990)),
        I("vitamin_c", "维生素C", "Vitamin C", "瓶", ("100片", 4990, 9990)),
        I("calcium", "钙片", "Calcium tablets", "瓶", ("60片", 5990, 12990)),
        I("fish_oil", "深海鱼油", "Fish oil", "瓶", ("100粒", 9990, 24990)),
        I("protein", "蛋白粉", "Protein powder", "罐", ("450g", 14990, 29990)),
        I("probiotics", "益生菌", "Probiotics", "盒", ("30袋", 9990, 19990)),
        I("masks", "医用口罩", "Medical masks", "盒", ("50只", 1990, 3990), brands=(("稳健", "Winner"), ("振德", "Zhende"))),
        I("bandaids", "创可贴", "Adhesive bandages", "盒", ("100片", 1290, 2290), brands=(("云南白药", "Yunnan Baiyao"), ("邦迪", "Band-Aid"))),
        I("thermometer", "电子体温计", "Digital thermometer", "支", ("标准款", 1990, 4990), brands=(("鱼跃", "Yuwell"), ("欧姆龙", "Omron"))),
        I("goji", "宁夏枸杞", "Ningxia goji berries", "袋", ("250g", 2990, 5990)),
    )),
)

# item key -> items often bought with it (a complement is added with some probability)
COMPLEMENTS: dict[str, tuple[str, ...]] = {
    "milk": ("bread",), "fresh_milk": ("bread", "croissant"), "bread": ("fresh_milk", "eggs"),
    "chips": ("cola",), "cola": ("chips",), "noodles": ("eggs",), "beer": ("peanuts", "chips"),
    "craft_beer": ("peanuts",), "diapers": ("baby_wipes",), "pull_ups": ("baby_wipes",),
    "formula": ("bottle",), "rtd_coffee": ("croissant",), "toothpaste": ("toothbrush",),
    "shampoo": ("conditioner",), "rice": ("oil",), "dumplings": ("vinegar",), "cat_food": ("cat_litter", "cat_treats"),
    "dog_food": ("dog_treats",), "hotpot_base": ("fish_balls", "bok_choy"), "laundry": ("softener",),
    "phone_case": ("screen_protector",), "red_wine": ("cheese_sticks",), "tomatoes": ("eggs",),
    "cleanser": ("toner",), "gel_pen": ("notebook",), "salmon": ("soy_sauce",),
}
