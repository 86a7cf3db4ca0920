"""Search text: what a name becomes in a search index, and what a shopper's query becomes (products in
catalog.search, stores in the storefront's store finder).

Both databases search the same tokenised field (`terms`), built here at index time:
- every Chinese character is a token of its own ("光 明 纯 牛 奶"), and so is every pair of adjacent
  characters ("光明 明纯 纯牛 牛奶"): a Chinese query is its pairs ("特仑苏": 特仑 and 仑苏), so "牛奶"
  and "牛 奶" both find 纯牛奶 (one token looked up, as search engines index Chinese: bigrams);
- English words, lower case (diacritics folded);
- pinyin from every syllable to the end of the name, run together ("guangmingchunniunai",
  "mingchunniunai" ... "niunai", "nai"), and the same for the initials ("gmcnn" ... "nn"), so a
  pinyin or initials query is a prefix of one token: `niunai`, `niun`, `nn`;
- words of the other language from a small bilingual glossary, so "milk" and "牛奶" find one set.

A query term is a run of Chinese characters (its pairs, or the one character, matched as tokens;
whitespace inside such a run is ignored) or a Latin word (matched as a token prefix). Punctuation and operators are dropped, so
nothing a shopper types reaches the database as syntax.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

MAX_TERMS = 8  # words of a query beyond this are ignored
MAX_TERM_LEN = 40

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_PIECES = re.compile(f"[{_CJK}]+|[a-z0-9]+")

# Chinese word -> English names (alternatives; a name may be a phrase). A product named with the Chinese
# word gets the English words; one named with a one-word English name gets the (first) Chinese word,
# so "milk" and "牛奶" find one set.
GLOSSARY: dict[str, tuple[str, ...]] = {
    "牛奶": ("milk",), "奶粉": ("milk powder",), "酸奶": ("yogurt", "yoghurt"), "鸡蛋": ("egg", "eggs"),
    "苹果": ("apple", "apples"), "香蕉": ("banana", "bananas"), "草莓": ("strawberry", "strawberries"),
    "西红柿": ("tomato", "tomatoes"), "番茄": ("tomato", "tomatoes"), "土豆": ("potato", "potatoes"),
    "猕猴桃": ("kiwi",), "三文鱼": ("salmon",), "猪肉": ("pork",), "鸡胸肉": ("chicken",), "鸡肉": ("chicken",),
    "牛肉": ("beef",), "面包": ("bread",), "吐司": ("toast",), "蛋糕": ("cake",), "饼干": ("biscuit", "biscuits"),
    "巧克力": ("chocolate",), "咖啡": ("coffee",), "茶": ("tea",), "果汁": ("juice",), "可乐": ("cola",),
    "啤酒": ("beer",), "矿泉水": ("water",), "纯净水": ("water",), "大米": ("rice",), "米": ("rice",),
    "面条": ("noodle", "noodles"), "方便面": ("noodle", "noodles"), "挂面": ("noodle", "noodles"),
    "食用油": ("oil",), "花生油": ("oil",), "酱油": ("soy sauce",), "醋": ("vinegar",), "盐": ("salt",),
    "糖": ("sugar",), "薯片": ("chips", "crisps"), "坚果": ("nuts",), "冰淇淋": ("ice cream",),
    "饺子": ("dumplings",), "汤圆": ("tangyuan",), "纸巾": ("tissue", "tissues"), "洗发水": ("shampoo",),
    "牙膏": ("toothpaste",), "洗衣液": ("laundry detergent",), "尿裤": ("diapers",), "奶酪": ("cheese",),
    "黄油": ("butter",), "豆浆": ("soy milk",), "上海青": ("bok choy",), "水果": ("fruit",),
    "蔬菜": ("vegetables",), "橙": ("orange", "oranges"), "葡萄": ("grapes",), "西瓜": ("watermelon",),
}
_EN_TO_ZH: dict[str, str] = {}
for _zh, _ens in GLOSSARY.items():
    for _en in _ens:
        if " " not in _en:
            _EN_TO_ZH.setdefault(_en, _zh)


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, accents folded."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or "").lower())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def has_cjk(text: str) -> bool:
    return bool(_CJK_CHAR.search(text))


@lru_cache(maxsize=65536)
def _syllables(chars: str) -> tuple[str, ...]:
    return tuple(s for s in lazy_pinyin(chars, style=Style.NORMAL, errors="ignore") if s.isascii() and s.isalpha())


def pinyin_of(text: str) -> list[str]:
    """Syllables of the Chinese characters in `text` (tone-less; words read as words: 银行 yinhang)."""
    chars = "".join(_CJK_CHAR.findall(text))
    return list(_syllables(chars)) if chars else []


def initials_of(text: str) -> list[str]:
    """The syllables' first letters ("zh", "ch", "sh" count as their first letter, as typed: 纸巾 zj)."""
    return [s[0] for s in pinyin_of(text)]


def _suffixes(parts: list[str]) -> list[str]:
    return ["".join(parts[i:]) for i in range(len(parts))]


def _stem(word: str) -> str:
    """"milky" -> "milk", "eggs" -> "egg", "tomatoes" -> "tomato": what the glossary's English words
    are a prefix of, so a query (a token prefix) for the word and for its Chinese find the same set."""
    for suffix in ("es", "s", "y"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


def product_terms(name_zh: str, name_en: str, brand: str | None = None) -> str:
    """The tokenised search field of a product (see the module's doc)."""
    zh, en = normalise(name_zh), normalise(f"{name_en} {brand or ''}")
    tokens: list[str] = []
    for run in re.findall(f"[{_CJK}]+", zh):
        tokens.extend(run)  # one token per character, and per pair of adjacent characters
        tokens.extend(_pairs(run))
        syllables = list(_syllables(run))
        letters = [s[0] for s in syllables]
        tokens.extend(_suffixes(syllables))
        tokens.extend(_suffixes(letters))
    words = re.findall("[a-z0-9]+", f"{zh} {en}")
    for word_zh, names_en in GLOSSARY.items():
        if word_zh in zh:
            words.extend(w for name in names_en for w in name.split())
    tokens.extend(words)
    for word in dict.fromkeys(words):
        word_zh = _EN_TO_ZH.get(word) or _EN_TO_ZH.get(_stem(word))
        if word_zh and word_zh not in zh:
            tokens.extend(word_zh)
            tokens.extend(_pairs(word_zh))
            zh += " " + word_zh
    out: list[str] = []
    seen: set[str] = set()
    for t in tokens:  # the name's characters keep their order (the relevance looks at how a name starts)
        if t not in seen or _CJK_CHAR.fullmatch(t):
            out.append(t)
            seen.add(t)
    return " ".join(out)


def _pairs(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def store_terms(name_zh: str, name_en: str, district: str, address: str) -> str:
    """The same tokenisation for a store: its names, district and address (streets, with pinyin)."""
    return f" {product_terms(f'{name_zh} {district} {address}', name_en)} "


def matches(terms: str, query: Query) -> bool:
    """Whether space-padded `terms` hold every term of the query, as the databases match them: a Chinese
    term's pairs of characters as tokens, a Latin word as the start of a token."""
    return all(all(f" {tok} " in terms for tok in t.tokens) if t.cjk else f" {t.text}" in terms
               for t in query.terms)


@dataclass(frozen=True)
class Term:
    text: str  # a run of Chinese characters, or a Latin word
    cjk: bool

    @property
    def phrase(self) -> str:
        """The characters separated by a space (how a name starts in the index), a word as is."""
        return " ".join(self.text) if self.cjk else self.text

    @property
    def tokens(self) -> list[str]:
        """What the index must hold: a Chinese run's pairs (or its one character); a word (as a prefix)."""
        if not self.cjk:
            return [self.text]
        return _pairs(self.text) or [self.text]


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def compact(self) -> str:
        """The query without spaces ("牛 奶" -> "牛奶", "niu nai" -> "niunai")."""
        return "".join(t.text for t in self.terms)

    def __str__(self) -> str:
        return " ".join(t.text for t in self.terms)


def parse_query(raw: str) -> Query:
    """A shopper's words as search terms: Chinese runs joined across spaces ("牛 奶" is one term),
    Latin words lower case; anything else dropped."""
    pieces = _PIECES.findall(normalise(raw))
    terms: list[Term] = []
    for piece in pieces:
        cjk = bool(_CJK_CHAR.match(piece))
        if cjk and terms and terms[-1].cjk:
            terms[-1] = Term(terms[-1].text + piece, True)
        else:
            terms.append(Term(piece, cjk))
    return Query(tuple(Term(t.text[:MAX_TERM_LEN], t.cjk) for t in terms[:MAX_TERMS]))


def as_pinyin(query: Query) -> Query:
    """Chinese terms replaced by their pinyin (a homophone typed by mistake: 牛乃 -> niunai)."""
    return Query(tuple(Term("".join(pinyin_of(t.text)) or t.text, False) if t.cjk else t for t in query.terms))
