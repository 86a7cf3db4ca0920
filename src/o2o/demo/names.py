"""People and traffic for the demo: Chinese names, mobile prefixes, channels and UTM tags."""

from __future__ import annotations

import random

# the most common surnames, roughly in order of frequency (weights fall off with rank)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = tuple(1.0 / (i + 8) for i in range(len(SURNAMES)))
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉婷雪琳晨浩宇轩子涵欣怡梓若佳思雨嘉博文俊家一诺"
    "可瑞凯晓颖倩悦天然昊铭睿泽宁安乐彤瑶萱奕辰逸凡嘉懿诗琪梦婉清峰斌波志建新云飞海燕春")

# pinyin (without tones) of every character above, for demo e-mail addresses
_SURNAME_PINYIN = (
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song tang "
    "xu han feng deng cao peng zeng xiao tian dong yuan pan yu jiang cai yu du ye cheng su wei lv ding ren shen "
    "yao lu jiang cui zhong tan lu wang fan jin shi liao jia xia wei fu fang bai zou meng xiong qin qiu jiang yin "
    "xue yan duan lei hou long shi tao li he gu mao hao gong shao wan qian yan qin wu dai mo kong xiang tang")
_GIVEN_PINYIN = (
    "wei fang na min jing li qiang lei jun yang yong yan jie juan tao ming chao xiu xia ping gang gui ying hua "
    "yu ping hong peng hui ting xue lin chen hao yu xuan zi han xin yi zi ruo jia si yu jia bo wen jun jia yi nuo "
    "ke rui kai xiao ying qian yue tian ran hao ming rui ze ning an le tong yao xuan yi chen yi fan jia yi shi qi "
    "meng wan qing feng bin bo zhi jian xin yun fei hai yan chun")
PINYIN = (dict(zip(SURNAMES, _SURNAME_PINYIN.split(), strict=True))
          | dict(zip(GIVEN_CHARS, _GIVEN_PINYIN.split(), strict=True)))
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

# real mainland mobile prefixes (13x-19x)
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156",
    "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188",
    "189", "191", "195", "198", "199",
)


def person_name(rnd: random.Random) -> str:
    surname = rnd.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    given = rnd.choice(GIVEN_CHARS) + (rnd.choice(GIVEN_CHARS) if rnd.random() < 0.7 else "")
    return surname + given


def email_local(name: str) -> str:
    """张伟 -> zhang.wei (demo surnames are one character)."""
    return f"{PINYIN[name[0]]}.{''.join(PINYIN[ch] for ch in name[1:])}"


def unique_emails(rnd: random.Random, names: list[str]) -> list[str]:
    """pinyin.name@example.com for each name; a repeated name gets a number (zhang.wei2@...)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        domain = rnd.choice(EMAIL_DOMAINS)
        base = f"{email_local(name)}@{domain}"
        n = seen.get(base, 0) + 1
        seen[base] = n
        out.append(base if n == 1 else base.replace("@", f"{n}@"))
    return out


def unique_phones(rnd: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        phone = rnd.choice(MOBILE_PREFIXES) + f"{rnd.randrange(100_000_000):08d}"
        if phone not in seen:
            seen.add(phone)
            out.append(phone)
    return out


# online channels and how often a customer's main online channel is each
ONLINE_CHANNELS = ("app", "miniprogram", "h5", "pc", "douyin", "wechat")
ONLINE_CHANNEL_WEIGHTS = (0.30, 0.33, 0.10, 0.05, 0.10, 0.12)

# campaigns by theme, used for utm_campaign with a yyyymm suffix
CAMPAIGNS = ("weekend_fresh", "new_member", "milk_day", "pet_week", "baby_fair", "payday_sale", "night_snack",
             "double_points", "3km_exclusive")

# channel -> ((utm_source, utm_medium, campaign?, weight), ...): None source = untagged traffic
UTM_BY_CHANNEL: dict[str, tuple[tuple[str | None, str | None, bool, float], ...]] = {
    "app": ((None, None, False, 0.6), ("push", "notification", True, 0.3), ("sms", "reminder", True, 0.1)),
    "miniprogram": (("wechat", "miniprogram", False, 0.5), ("wechat", "group", True, 0.3),
                    ("wechat", "moments_ad", True, 0.2)),
    "h5": ((None, None, False, 0.3), ("xiaohongshu", "social", True, 0.3), ("baidu", "cpc", True, 0.2),
           ("weibo", "social", True, 0.2)),
    "pc": ((None, None, False, 0.5), ("baidu", "cpc", True, 0.3), ("baidu", "organic", False, 0.2)),
    "douyin": (("douyin", "live", True, 0.6), ("douyin", "short_video", True, 0.4)),
    "wechat": (("wechat", "official_account", True, 0.5), ("wechat", "template_message", True, 0.3),
               ("wechat", "moments_ad", True, 0.2)),
}


def utm_for(rnd: random.Random, channel: str, yyyymm: str) -> tuple[str | None, str | None, str | None]:
    options = UTM_BY_CHANNEL[channel]
    source, medium, tagged, _ = rnd.choices(options, weights=[o[3] for o in options])[0]
    campaign = f"{rnd.choice(CAMPAIGNS)}_{yyyymm}" if tagged else None
    return source, medium, campaign
