"""Search queries, one repository per database: each matches the tokenised `product_search.terms` with
its own text index (SQLite FTS5, PostgreSQL a GIN-indexed tsvector); filtering, sorting and paging are shared.
PostgreSQL's statements are shaped so that no plan depends on how many products the planner guesses a
word matches (its guesses for prefixes are off by 3-60x): the matches are materialized before they are
ranked, in stock is looked up along the ranking only as far as the page needs, and suggestions look at
the best sellers first (PostgresSearch). Never commits."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    Text,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from o2o.catalog.models import Product, ProductSearch, Sku
from o2o.inventory import service as inventory
from o2o.kernel.searchtext import Query

SORTS = ("relevance", "price_asc", "price_desc", "sales")
START_CHARS = 16  # the start index's length (migration 0034, PostgreSQL)
HOT_SELLERS = 500  # suggestions: the best sellers looked at first
DENSE_MATCHES = 3000  # suggestions on SQLite: above this many matches, the best sellers first
_FTS = table("product_search_fts", column("rowid"))


@dataclass(frozen=True)
class Hit:
    product_id: int
    in_stock: bool | None  # at the store searched for; None without one


class SearchRepository:
    """What both databases share. Subclasses say how a query matches the terms."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def matches(self, query: Query) -> ColumnElement[bool]:
        raise NotImplementedError

    def _filtered(self, query: Query, category_id: int | None, supplier_id: int | None = None) -> Select:
        stmt = select(ProductSearch.product_id).where(ProductSearch.active.is_(True))
        if not query.empty:
            stmt = stmt.where(self.matches(query))
        if category_id is not None:
            stmt = stmt.where(ProductSearch.category_id == category_id)
        if supplier_id is not None:
            stmt = stmt.join(Product, Product.id == ProductSearch.product_id).where(Product.supplier_id == supplier_id)
        return stmt

    def find(self, query: Query, *, category_id: int | None = None, supplier_id: int | None = None,
             in_stock_at: int | None = None, only_in_stock: bool = False, sort: str = "relevance",
             offset: int = 0, limit: int = 20) -> tuple[list[Hit], int]:
        """One page of matching active products and how many match, in one statement (the count is a
        window over the matches). With `in_stock_at` (the shopper's store) products in stock there come
        first, or only those."""
        stmt = self._filtered(query, category_id, supplier_id)
        flag = None
        if in_stock_at is not None:
            stocked = _stocked(in_stock_at, ProductSearch.product_id)
            if only_in_stock:
                stmt = stmt.where(stocked)
            else:
                flag = case((stocked, 1), else_=0).label("in_stock")
        order: list = []
        if flag is not None:
            stmt = stmt.add_columns(flag)
            order.append(flag.desc())
        order += _order(sort, ProductSearch.sales, ProductSearch.price_fen, ProductSearch.name_len,
                        None if query.empty else self._starts(query))
        if query.empty:  # browsing: the count apart, so that a page in sales order can walk the index
            total = self.session.scalar(select(func.count()).select_from(self._counted(stmt))) or 0
            rows = self.session.execute(stmt.order_by(*order, ProductSearch.product_id).offset(offset)
                                        .limit(limit)).all() if total > offset else []
        else:  # searching: one statement, the count a window over the matches
            stmt = stmt.add_columns(func.count().over().label("total"))
            rows = self.session.execute(stmt.order_by(*order, ProductSearch.product_id).offset(offset)
                                        .limit(limit)).all()
            total = self._total(rows, offset, stmt)
        return [Hit(r[0], bool(r[1]) if flag is not None else (True if only_in_stock else None)) for r in rows], total

    def _total(self, rows: list[Any], offset: int, stmt: Select) -> int:
        """The count a page's rows carry (their last column); a page past the end counts apart, the first
        page without rows has none to count (no second round trip for a search that finds nothing)."""
        if rows:
            return int(rows[0][-1])
        if not offset:
            return 0
        return self.session.scalar(select(func.count()).select_from(self._counted(stmt))) or 0

    @staticmethod
    def _counted(stmt: Select) -> Any:
        """The statement's rows (its first column, the product id) without order, for counting them."""
        return stmt.with_only_columns(stmt.selected_columns[0]).order_by(None).subquery()

    @staticmethod
    def _starts(query: Query) -> ColumnElement[int]:
        """0 when the name starts with the first word (its characters come first in the terms), else 1."""
        return case((ProductSearch.terms.like(f" {query.terms[0].phrase}%"), 0), else_=1)

    def suggest(self, query: Query, limit: int) -> list[tuple[int, str, str]]:
        """(product id, name zh, name en) of the best-selling matches, names starting with the words
        first (the names joined to the few chosen, not to every match)."""
        best = (self._ranked(self._filtered(query, None), self._starts(query))
                .order_by(self._starts(query), ProductSearch.sales.desc(), ProductSearch.name_len,
                          ProductSearch.product_id).limit(limit))
        return self._named(best.subquery())

    @staticmethod
    def _ranked(stmt: Select, starts: ColumnElement[int]) -> Select:
        return stmt.add_columns(starts.label("starts"), ProductSearch.sales, ProductSearch.name_len)

    def _named(self, best: Any) -> list[tuple[int, str, str]]:
        stmt = (select(best.c.product_id, Product.name_zh, Product.name_en)
                .join(Product, Product.id == best.c.product_id)
                .order_by(best.c.starts, best.c.sales.desc(), best.c.name_len, best.c.product_id))
        return [(r[0], r[1], r[2]) for r in self.session.execute(stmt)]

    def all_terms(self) -> list[str]:
        return list(self.session.scalars(select(ProductSearch.terms)))


def _stocked(location_id: int, product_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether the product has an active SKU in stock at the location: a LIMIT 1 subquery per product (its
    SKUs by index, then their stock rows by key); PostgreSQL would otherwise hash every in-stock SKU of
    the store for a plain EXISTS."""
    return (select(literal(1)).where(Sku.product_id == product_id, Sku.active.is_(True),
                                     inventory.has_stock(location_id, Sku.id))
            .limit(1).scalar_subquery().is_not(None))


def _order(sort: str, sales: ColumnElement[int], price: ColumnElement[int | None], name_len: ColumnElement[int],
           starts: ColumnElement[int] | None) -> list[Any]:
    """The sort's keys (the product id breaks the last ties, added by the caller). Relevance: the name
    starting with the words, then the best selling, then the shortest name."""
    if sort == "price_asc":
        return [price.is_(None), price.asc()]
    if sort == "price_desc":
        return [price.is_(None), price.desc()]
    if sort == "sales":
        return [sales.desc()]
    return [*([] if starts is None else [starts]), sales.desc(), name_len.asc()]


class SqliteSearch(SearchRepository):
    """FTS5 (unicode61 over the tokenised field): a Chinese term's pairs as tokens, a Latin word as a token
    prefix. Terms hold only letters, digits and CJK characters (kernel.searchtext.parse_query), quoted."""

    @staticmethod
    def _fts(query: Query) -> str:
        return " AND ".join(f'"{tok}"' if t.cjk else f'"{tok}"*' for t in query.terms for tok in t.tokens)

    def matches(self, query: Query) -> ColumnElement[bool]:
        hits = select(_FTS.c.rowid).where(text("product_search_fts MATCH :fts").bindparams(fts=self._fts(query)))
        return ProductSearch.product_id.in_(hits)

    def suggest(self, query: Query, limit: int) -> list[tuple[int, str, str]]:
        """As SearchRepository.suggest; for a word most products match (`s`: 33,000 of 35,000, ranking
        them all took ~20 ms) the answer is found among fewer. The matches are counted first (the FTS
        index alone); above DENSE_MATCHES the names starting with the words come from FTS5's initial
        token query (`^"s"*`, then the exact LIKE), the others from the HOT_SELLERS best sellers, each
        tested by rowid until enough are found; the whole ranking only when too few are."""
        fts = self._fts(query)
        if (self.session.scalar(select(func.count()).select_from(_FTS).where(
                text("product_search_fts MATCH :fts").bindparams(fts=fts))) or 0) <= DENSE_MATCHES:
            return super().suggest(query, limit)
        ps, start = ProductSearch, f" {query.terms[0].phrase}%"
        by_sales = (ps.sales.desc(), ps.name_len, ps.product_id)
        initial = select(_FTS.c.rowid).where(text("product_search_fts MATCH :first").bindparams(
            first=f'{fts} AND ^"{query.terms[0].phrase}"*'))
        first = (select(ps.product_id, literal(0).label("starts"), ps.sales, ps.name_len)
                 .where(ps.active.is_(True), ps.product_id.in_(initial), ps.terms.like(start))
                 .order_by(*by_sales).limit(limit).subquery("first"))
        top = (select(ps.product_id, ps.sales, ps.name_len, ps.terms).where(ps.active.is_(True))
               .order_by(*by_sales).limit(HOT_SELLERS).subquery("top"))
        fts_row = _FTS.alias("f")
        matching = (select(literal(1)).select_from(fts_row).where(
            fts_row.c.rowid == top.c.product_id, text("product_search_fts MATCH :hot").bindparams(hot=fts)).exists())
        # no ORDER BY over `top`: SQLite reads it in its order and stops at the limit (sorting would test
        # all HOT_SELLERS by rowid first, 20 ms); the rows are put in order here
        hot = (select(top.c.product_id, literal(1).label("starts"), top.c.sales, top.c.name_len)
               .where(~top.c.terms.like(start), matching).limit(limit).subquery("hot"))
        rows = self.session.execute(union_all(select(first), select(hot))).all()
        starters = [r for r in rows if r[1] == 0]
        others = sorted((r for r in rows if r[1] == 1), key=lambda r: (-r[2], r[3], r[0]))
        if len(starters) < limit and len(others) < limit - len(starters):  # too few best sellers match
            return super().suggest(query, limit)
        best = (starters + others)[:limit]
        names = {r[0]: (r[1], r[2]) for r in self.session.execute(
            select(Product.id, Product.name_zh, Product.name_en).where(Product.id.in_([r[0] for r in best])))}
        return [(r[0], *names[r[0]]) for r in best]


class PostgresSearch(SearchRepository):
    """`product_search.tokens` (migration 0015: a stored tsvector of the tokens as they are, GIN-indexed):
    a Chinese term's pairs as lexemes, a Latin word as a lexeme prefix (`'niunai':*`)."""

    @staticmethod
    def _tsquery(query: Query) -> str:
        return " & ".join(f"'{tok}'" if t.cjk else f"'{tok}':*" for t in query.terms for tok in t.tokens)

    def matches(self, query: Query) -> ColumnElement[bool]:
        return text("product_search.tokens @@ CAST(:tsq AS tsquery)").bindparams(tsq=self._tsquery(query))

    def suggest(self, query: Query, limit: int) -> list[tuple[int, str, str]]:
        """As SearchRepository.suggest, in parts each cheap whatever the planner estimates: (1) the names
        starting with the words, by the start index (migration 0034); the others, best sellers first:
        (2) among the HOT_SELLERS best sellers (walking the sales index; enough of them match a word
        most products have, `s`, and the first that match are the answer: 33,000 vectors not tested),
        (3) only when (2) has fewer than `limit`, among every match (the text index: a rarer word).
        Left to the planner, (2)+(3) as one query walked the whole sales index for a brand whose
        products all start with it ('斯维': 130 ms for no row)."""
        start = f" {query.terms[0].phrase}"
        rows = self.session.execute(_pg_suggestions(), {
            "tsq": self._tsquery(query), "starts": f"{start}%", "starts_short": f"{start[:START_CHARS]}%",
            "limit": limit, "hot": HOT_SELLERS})
        return [(r[0], r[1], r[2]) for r in rows]

    def find(self, query: Query, *, category_id: int | None = None, supplier_id: int | None = None,
             in_stock_at: int | None = None, only_in_stock: bool = False, sort: str = "relevance",
             offset: int = 0, limit: int = 20) -> tuple[list[Hit], int]:
        """As SearchRepository.find, in an order PostgreSQL cannot get wrong. The matches come first (a
        MATERIALIZED CTE: the GIN index's set with the sort keys): otherwise, for a word whose matches
        it underestimates (a prefix such as `'zs':*`), the planner walks the whole sales index testing
        every product's vector, although the count needs every match anyway (25 ms instead of 4). Then
        the ranked matches; with a store to rank in-stock first, stock is looked up along the ranked
        matches only until the page is full (in stock, then not), not for every match. Counting only
        what is in stock does need every match looked up."""
        if query.empty:
            return super().find(query, category_id=category_id, supplier_id=supplier_id, in_stock_at=in_stock_at,
                                only_in_stock=only_in_stock, sort=sort, offset=offset, limit=limit)
        mode = "any" if in_stock_at is None else "only" if only_in_stock else "first"
        stmt, counted = _pg_find(sort, category_id is not None, supplier_id is not None, mode)
        params = {"tsq": self._tsquery(query), "starts": f" {query.terms[0].phrase}%", "category_id": category_id,
                  "supplier_id": supplier_id, "store": in_stock_at, "offset": offset, "limit": limit,
                  "wanted": offset + limit}
        rows = self.session.execute(stmt, params).all()
        # a page past the end counts apart; the first page without rows has nothing to count
        total = int(rows[0][-1]) if rows else (self.session.scalar(counted, params) or 0) if offset else 0
        return [Hit(r[0], bool(r[1]) if mode == "first" else True if mode == "only" else None) for r in rows], total


@functools.lru_cache(maxsize=64)
def _pg_find(sort: str, by_category: bool, by_supplier: bool, mode: str) -> tuple[Select, Select]:
    """PostgresSearch.find's statement of one shape, and the one counting its matches, built once (a
    statement takes about as long to build as to run). `mode`: "any" (no store), "only" (in stock at
    the store), "first" (in stock first). Parameters: tsq, starts, category_id, supplier_id, store,
    offset, limit, wanted (offset + limit)."""
    ps = ProductSearch
    m = (select(ps.product_id, ps.sales, ps.price_fen, ps.name_len,
                case((ps.terms.like(bindparam("starts", type_=Text)), 0), else_=1).label("starts"))
         .where(ps.active.is_(True), text("product_search.tokens @@ CAST(:tsq AS tsquery)")))
    if by_category:
        m = m.where(ps.category_id == bindparam("category_id", type_=BigInteger))  # any id asked: 64-bit
    if by_supplier:
        m = m.join(Product, Product.id == ps.product_id).where(Product.supplier_id == bindparam("supplier_id",
                                                                                                   type_=BigInteger))
    store, offset, limit = (bindparam(name, type_=BigInteger) for name in ("store", "offset", "limit"))

    def order(cols: Any) -> list[Any]:
        return [*_order(sort, cols.sales, cols.price_fen, cols.name_len, cols.starts), cols.product_id]

    if mode != "first":
        matches = m.cte("matches").prefix_with("MATERIALIZED")
        page = select(matches.c.product_id)
        if mode == "only":
            page = page.where(_stocked(store, matches.c.product_id))  # type: ignore[arg-type]
        counted = select(func.count()).select_from(page.subquery())
        return (page.add_columns(func.count().over().label("total")).order_by(*order(matches.c)).offset(offset)
                .limit(limit)), counted
    # in stock first: the matches ranked once (the CTE is read in its order, and lazily), the first
    # offset+limit of them in stock, then the first offset+limit not, a page of the two
    ranked = m.order_by(*order(m.selected_columns)).cte("ranked").prefix_with("MATERIALIZED")
    stocked = _stocked(store, ranked.c.product_id)  # type: ignore[arg-type]
    wanted = bindparam("wanted", type_=Integer)
    both = union_all(
        select(ranked, literal(1).label("in_stock")).where(stocked).limit(wanted),
        select(ranked, literal(0).label("in_stock")).where(~stocked).limit(wanted)).subquery("both")
    counted = select(func.count()).select_from(ranked)
    return (select(both.c.product_id, both.c.in_stock, counted.scalar_subquery().label("total"))
            .order_by(both.c.in_stock.desc(), *order(both.c)).offset(offset).limit(limit)), counted


@functools.cache
def _pg_suggestions() -> Select:
    """PostgresSearch.suggest's statement, built once (it takes longer to build than to run): parameters
    tsq (the tsquery), starts (` s%`), starts_short (its first START_CHARS characters), limit, hot."""
    tsq = cast(bindparam("tsq", type_=Text), TSQUERY)
    n = bindparam("limit", type_=Integer)
    ps = ProductSearch
    by_sales = (ps.sales.desc(), ps.name_len, ps.product_id)
    active, matching = ps.active.is_(True), literal_column("product_search.tokens").op("@@")(tsq)
    starts = ps.terms.like(bindparam("starts", type_=Text))

    def part(starts_flag: int, *where: Any) -> Select:
        return select(ps.product_id, literal(starts_flag).label("starts"), ps.sales, ps.name_len).where(*where)

    first = part(0, active, matching, func.left(ps.terms, START_CHARS).like(bindparam("starts_short", type_=Text)),
                 starts).order_by(*by_sales).limit(n)
    top = (select(ps.product_id, ps.sales, ps.name_len, ps.terms, literal_column("product_search.tokens").label("tokens"))
           .where(active).order_by(*by_sales).limit(bindparam("hot", type_=Integer)).subquery("top"))
    hot = (select(top.c.product_id, literal(1).label("starts"), top.c.sales, top.c.name_len)
           .where(top.c.tokens.op("@@")(tsq), ~top.c.terms.like(bindparam("starts", type_=Text)))
           .order_by(top.c.sales.desc(), top.c.name_len, top.c.product_id).limit(n).cte("hot"))
    rest = part(1, active, matching, ~starts).cte("rest").prefix_with("MATERIALIZED")  # read only if needed
    enough = select(func.count()).select_from(hot).scalar_subquery() >= n
    both = union(first, select(hot), select(rest).order_by(rest.c.sales.desc(), rest.c.name_len, rest.c.product_id)
                 .where(~enough).limit(n)).subquery("both")
    best = select(both).order_by(both.c.starts, both.c.sales.desc(), both.c.name_len, both.c.product_id).limit(n) \
        .subquery("best")
    return (select(best.c.product_id, Product.name_zh, Product.name_en).join(Product, Product.id == best.c.product_id)
            .order_by(best.c.starts, best.c.sales.desc(), best.c.name_len, best.c.product_id))


def for_session(session: Session) -> SearchRepository:
    return SqliteSearch(session) if session.get_bind().dialect.name == "sqlite" else PostgresSearch(session)
