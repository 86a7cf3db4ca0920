"""Product search use cases: search (filters, sorting, in-stock first, typo tolerance), suggestions as
the shopper types, and keeping the index in step with the catalog (`reindex`, called inside the unit of
work that changes a product)."""

from __future__ import annotations

import bisect
import re
import threading
import time
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from o2o.catalog.models import MEDIA_URL, Product, ProductImage, ProductSearch, Sku
from o2o.catalog.schemas import ProductImageOut, SkuOut
from o2o.catalog.search import repository
from o2o.catalog.search.schemas import ProductHit, SearchPage, Suggestion
from o2o.kernel.db import Database
from o2o.kernel.pagination import PageParams
from o2o.kernel.searchtext import Query, Term, as_pinyin, parse_query, product_terms

VOCABULARY_TTL_S = 900.0  # another process's new words are seen within this; this process's at once
MIN_TYPO_LEN = 3
_WORDS = re.compile(r"(?<![^ ])[a-z0-9]{3,16}(?![^ ])")


class _Vocabulary:
    """The Latin words of the index (English words, pinyin of names' tails, initials), with how many
    products use each: what a mistyped word is corrected to. Loaded once per database and process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, int, Counter[str], dict[str, list[str]]]] = {}
        self._generation = 0

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1

    def get(self, db: Database) -> tuple[Counter[str], dict[str, list[str]]]:
        """(uses per word, the words sorted and grouped: index_words)."""
        with self._lock:
            hit = self._cache.get(db.url)
            generation = self._generation
        if hit and hit[1] == generation and time.monotonic() - hit[0] < VOCABULARY_TTL_S:
            return hit[2], hit[3]
        with db.read() as s:
            counts: Counter[str] = Counter(_WORDS.findall(" ".join(repository.for_session(s).all_terms())))
        ordered = index_words(counts)
        with self._lock:
            self._cache[db.url] = (time.monotonic(), generation, counts, ordered)
        return counts, ordered


VOCABULARY = _Vocabulary()


def index_words(words: Iterable[str]) -> dict[str, list[str]]:
    """The words sorted: "" -> all of them, a first letter -> those starting with it, "#n" -> those of n
    letters (a word n letters long is at least |n - m| edits from one of m: the only ones worth trying)."""
    ordered: dict[str, list[str]] = {"": sorted(words)}
    for word in ordered[""]:
        ordered.setdefault(word[0], []).append(word)
        ordered.setdefault(f"#{len(word)}", []).append(word)
    return ordered


_AUTOCOMMIT: weakref.WeakKeyDictionary[Engine, sessionmaker[Session]] = weakref.WeakKeyDictionary()


@contextmanager
def _reading(db: Database) -> Iterator[Session]:
    """A session to search in. On PostgreSQL without a transaction (autocommit: no BEGIN and ROLLBACK,
    two round trips of a search's four; its statements need no common snapshot: a page is ids, then
    those products); on SQLite db.read()'s."""
    if db.dialect == "sqlite":
        with db.read() as s:
            yield s
        return
    sessions = _AUTOCOMMIT.get(db.engine)
    if sessions is None:
        sessions = _AUTOCOMMIT.setdefault(db.engine, sessionmaker(
            db.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False, autoflush=False))
    with sessions() as s:
        yield s


def _known(word: str, ordered: list[str]) -> bool:
    """Whether some word of the index starts with `word`."""
    i = bisect.bisect_left(ordered, word)
    return i < len(ordered) and ordered[i].startswith(word)


def correct(query: Query, counts: Counter[str], ordered: dict[str, list[str]]) -> Query | None:
    """The query with each unknown Latin word replaced by the nearest word of the index (one edit for
    short words, two from 7 letters; a swap of two letters is one edit; ties go to the commoner word, then
    the first in the alphabet; words with the same first letter are tried first). `ordered`: index_words.
    None when nothing could be corrected."""
    out: list[Term] = []
    changed = False
    for term in query.terms:
        if term.cjk:
            out.append(term)
            continue
        if len(term.text) < MIN_TYPO_LEN or _known(term.text, ordered[""]):
            out.append(term)
            continue
        limit = 1 if len(term.text) < 7 else 2
        near = process.extract(term.text, ordered.get(term.text[0], []), scorer=OSA.distance, score_cutoff=limit,
                               limit=None)
        if not near:  # any first letter: only words of about the same length can be near enough
            pool = [w for n in range(len(term.text) - limit, len(term.text) + limit + 1) for w in ordered.get(f"#{n}", ())]
            near = process.extract(term.text, pool, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if not near:
            out.append(term)
            continue
        best = min(near, key=lambda m: (m[1], -counts[m[0]], m[0]))[0]
        out.append(Term(best, False))
        changed = True
    return Query(tuple(out)) if changed else None


def search(db: Database, q: str | None, page: PageParams, *, category_id: int | None = None,
           store_id: int | None = None, only_in_stock: bool = False, sort: str = "relevance",
           supplier_id: int | None = None) -> SearchPage:
    """Active products matching `q` (all without one); with `store_id` those in stock there first (or
    only those). When the words as typed find nothing, a corrected query is tried: Chinese words by
    their pinyin (a homophone), unknown Latin words by the nearest word of the index."""
    query = parse_query(q or "")
    if q and query.empty:  # only punctuation: nothing can match
        return SearchPage(items=[], page=page.page, size=page.size, total=0)
    corrected = None
    with _reading(db) as s:
        repo = repository.for_session(s)

        def run(qq: Query) -> tuple[list[repository.Hit], int]:
            return repo.find(qq, category_id=category_id, supplier_id=supplier_id, in_stock_at=store_id, only_in_stock=only_in_stock,
                             sort=sort, offset=page.offset, limit=page.size)

        hits, total = run(query)
        if not total and not query.empty:
            for retry in _retries(db, query):
                hits, total = run(retry)
                if total:
                    corrected = str(retry)
                    break
        items = _products(s, hits)
    return SearchPage(items=items, page=page.page, size=page.size, total=total, corrected=corrected)


def _retries(db: Database, query: Query) -> Iterable[Query]:
    if any(t.cjk for t in query.terms):
        yield as_pinyin(query)
    counts, ordered = VOCABULARY.get(db)
    fixed = correct(as_pinyin(query), counts, ordered)
    if fixed is not None:
        yield fixed


def _products(s: Session, hits: list[repository.Hit]) -> list[ProductHit]:
    """The page's products with their SKUs and pictures in one query (product x SKU x picture rows: a
    round trip counts more than a few repeated columns), no ORM objects built."""
    if not hits:
        return []
    ids = [h.product_id for h in hits]
    stmt = (select(*_PRODUCT_COLS, *_SKU_COLS, *_IMAGE_COLS)
            .outerjoin(Sku, Sku.product_id == Product.id)
            .outerjoin(ProductImage, ProductImage.product_id == Product.id)
            .where(Product.id.in_(ids))
            .order_by(Product.id, Sku.id, ProductImage.position, ProductImage.id))
    products: dict[int, dict] = {}
    skus: dict[int, dict[int, SkuOut]] = defaultdict(dict)
    images: dict[int, dict[int, ProductImageOut]] = defaultdict(dict)
    np_, ns = len(_PRODUCT_COLS), len(_SKU_COLS)
    for row in s.execute(stmt):
        pid = row[0]
        if pid not in products:
            products[pid] = dict(zip(_PRODUCT_KEYS, row[:np_], strict=True))
        sku = row[np_:np_ + ns]
        if sku[0] is not None and sku[0] not in skus[pid]:
            skus[pid][sku[0]] = SkuOut(**dict(zip(_SKU_KEYS, sku, strict=True)))
        image = dict(zip(_IMAGE_KEYS, row[np_ + ns:], strict=True))
        if image["id"] is not None and image["id"] not in images[pid]:
            images[pid][image["id"]] = ProductImageOut(url=f"{MEDIA_URL}/{image.pop('path')}", **image)
    out = []
    for h in hits:
        if h.product_id in products:
            pictures = list(images[h.product_id].values())
            out.append(ProductHit(**products[h.product_id], skus=list(skus[h.product_id].values()), images=pictures,
                                  image_url=pictures[0].url if pictures else None, in_stock=h.in_stock))
    return out


_PRODUCT_COLS = (Product.id, Product.category_id, Product.supplier_id, Product.name_zh, Product.name_en, Product.brand,
                 Product.description, Product.active)
_SKU_COLS = (Sku.id, Sku.product_id, Sku.code, Sku.barcode, Sku.spec, Sku.unit, Sku.base_price_fen, Sku.active)
_IMAGE_COLS = (ProductImage.id, ProductImage.path, ProductImage.content_type, ProductImage.width, ProductImage.height,
               ProductImage.size_bytes)
_PRODUCT_KEYS = tuple(c.key for c in _PRODUCT_COLS)
_SKU_KEYS = tuple(c.key for c in _SKU_COLS)
_IMAGE_KEYS = tuple(c.key for c in _IMAGE_COLS)


def suggest(db: Database, q: str, limit: int = 8) -> list[Suggestion]:
    """Names to complete what the shopper is typing (best-selling matches first); typos corrected too."""
    query = parse_query(q)
    if query.empty:
        return []
    with _reading(db) as s:
        repo = repository.for_session(s)
        rows = repo.suggest(query, limit)
        if not rows:
            for retry in _retries(db, query):
                rows = repo.suggest(retry, limit)
                if rows:
                    break
    return [Suggestion(product_id=pid, name_zh=zh, name_en=en) for pid, zh, en in rows]


def reindex(session: Session, product_ids: Iterable[int]) -> None:
    """Rebuild the search rows of these products (inside the caller's unit of work); units sold are kept."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    prices = dict(session.execute(select(Sku.product_id, func.min(Sku.base_price_fen))
                                  .where(Sku.product_id.in_(ids), Sku.active.is_(True)).group_by(Sku.product_id)).all())
    for product in session.scalars(select(Product).where(Product.id.in_(ids))):
        terms = f" {product_terms(product.name_zh, product.name_en, product.brand)} "
        row = session.get(ProductSearch, product.id)
        if row is None:
            row = ProductSearch(product_id=product.id, sales=0)
            session.add(row)
        row.category_id, row.active, row.terms = product.category_id, product.active, terms
        row.name_len, row.price_fen = len(product.name_zh), prices.get(product.id)
    session.flush()
    VOCABULARY.invalidate()


REINDEX_BATCH = 1000


def reindex_all(db: Database, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild every product's search row (after the tokenising rules change: a new glossary word), one
    transaction per batch; units sold are kept. `progress(done, total)` after each batch. Returns how
    many products were indexed."""
    with db.read() as s:
        ids = list(s.scalars(select(Product.id).order_by(Product.id)))
    for start in range(0, len(ids), REINDEX_BATCH):
        with db.write_sessions() as s:
            reindex(s, ids[start:start + REINDEX_BATCH])
            s.commit()
        if progress:
            progress(min(start + REINDEX_BATCH, len(ids)), len(ids))
    return len(ids)


def index_rows(products: Iterable[dict], prices: dict[int, int], sales: dict[int, int]) -> list[dict]:
    """Search rows for bulk loading (the demo generator): products as dicts of id, category_id, active,
    name_zh, name_en, brand."""
    return [dict(product_id=p["id"], category_id=p["category_id"], active=p["active"], terms=f" {product_terms(p['name_zh'], p['name_en'], p.get('brand'))} ",
                 name_len=len(p["name_zh"]), price_fen=prices.get(p["id"]), sales=sales.get(p["id"], 0))
            for p in products]


def count_sold(session: Session, units_by_sku: dict[int, int]) -> None:
    """Count SKUs' units sold towards their products (inside the caller's unit of work)."""
    if not units_by_sku:
        return
    units: dict[int, int] = defaultdict(int)
    for sku_id, product_id in session.execute(select(Sku.id, Sku.product_id).where(Sku.id.in_(list(units_by_sku)))):
        units[product_id] += units_by_sku[sku_id]
    add_sales(session, units)


def add_sales(session: Session, units: dict[int, int]) -> None:
    """Count units sold per product (inside the caller's unit of work): one UPDATE each, in product order."""
    for product_id, n in sorted(units.items()):
        session.execute(update(ProductSearch).where(ProductSearch.product_id == product_id)
                        .values(sales=ProductSearch.sales + n))
