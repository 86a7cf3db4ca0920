"""Search queries, one repository per database: each matches the tokenised `product_search.terms` with
its own text index (SQLite FTS5, PostgreSQL a GIN-indexed tsvector); filtering, sorting and paging are shared.
Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, column, func, literal, select, table, text
from sqlalchemy.orm import Session

from o2o.catalog.models import Product, ProductSearch, Sku
from o2o.inventory import service as inventory
from o2o.kernel.searchtext import Query

SORTS = ("relevance", "price_asc", "price_desc", "sales")
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
            # a LIMIT 1 subquery per matching product (its SKUs by index, then their stock rows by key):
            # PostgreSQL would otherwise hash every in-stock SKU of the store for a plain EXISTS
            stocked = (select(literal(1)).where(Sku.product_id == ProductSearch.product_id, Sku.active.is_(True),
                                                inventory.has_stock(in_stock_at, Sku.id))
                       .limit(1).scalar_subquery().is_not(None))
            if only_in_stock:
                stmt = stmt.where(stocked)
            else:
                flag = case((stocked, 1), else_=0).label("in_stock")
        order: list = []
        if flag is not None:
            stmt = stmt.add_columns(flag)
            order.append(flag.desc())
        if sort == "price_asc":
            order += [ProductSearch.price_fen.is_(None), ProductSearch.price_fen.asc()]
        elif sort == "price_desc":
            order += [ProductSearch.price_fen.is_(None), ProductSearch.price_fen.desc()]
        elif sort == "sales":
            order += [ProductSearch.sales.desc()]
        else:  # relevance: the name starting with the words, then the best selling, then the shortest name
            order += [*([] if query.empty else [self._starts(query)]), ProductSearch.sales.desc(),
                      ProductSearch.name_len.asc()]
        if query.empty:  # browsing: the count apart, so that a page in sales order can walk the index
            total = self.session.scalar(select(func.count()).select_from(self._counted(stmt))) or 0
            rows = self.session.execute(stmt.order_by(*order, ProductSearch.product_id).offset(offset)
                                        .limit(limit)).all() if total > offset else []
        else:  # searching: one statement, the count a window over the matches
            stmt = stmt.add_columns(func.count().over().label("total"))
            rows = self.session.execute(stmt.order_by(*order, ProductSearch.product_id).offset(offset)
                                        .limit(limit)).all()
            total = rows[0][-1] if rows else \
                self.session.scalar(select(func.count()).select_from(self._counted(stmt))) or 0
        return [Hit(r[0], bool(r[1]) if flag is not None else (True if only_in_stock else None)) for r in rows], total

    @staticmethod
    def _counted(stmt: Select) -> Any:
        return stmt.with_only_columns(ProductSearch.product_id).order_by(None).subquery()

    @staticmethod
    def _starts(query: Query) -> ColumnElement[int]:
        """0 when the name starts with the first word (its characters come first in the terms), else 1."""
        return case((ProductSearch.terms.like(f" {query.terms[0].phrase}%"), 0), else_=1)

    def suggest(self, query: Query, limit: int) -> list[tuple[int, str, str]]:
        """(product id, name zh, name en) of the best-selling matches."""
        stmt = (self._filtered(query, None).join(Product, Product.id == ProductSearch.product_id)
                .add_columns(Product.name_zh, Product.name_en)
                .order_by(self._starts(query), ProductSearch.sales.desc(), ProductSearch.name_len,
                          ProductSearch.product_id).limit(limit))
        return [(r[0], r[1], r[2]) for r in self.session.execute(stmt)]

    def all_terms(self) -> list[str]:
        return list(self.session.scalars(select(ProductSearch.terms)))


class SqliteSearch(SearchRepository):
    """FTS5 (unicode61 over the tokenised field): a Chinese term's pairs as tokens, a Latin word as a token
    prefix. Terms hold only letters, digits and CJK characters (kernel.searchtext.parse_query), quoted."""

    def matches(self, query: Query) -> ColumnElement[bool]:
        expr = " AND ".join(f'"{tok}"' if t.cjk else f'"{tok}"*' for t in query.terms for tok in t.tokens)
        hits = select(_FTS.c.rowid).where(text("product_search_fts MATCH :fts").bindparams(fts=expr))
        return ProductSearch.product_id.in_(hits)


class PostgresSearch(SearchRepository):
    """`product_search.tokens` (migration 0015: a stored tsvector of the tokens as they are, GIN-indexed):
    a Chinese term's pairs as lexemes, a Latin word as a lexeme prefix (`'niunai':*`)."""

    def matches(self, query: Query) -> ColumnElement[bool]:
        expr = " & ".join(f"'{tok}'" if t.cjk else f"'{tok}':*" for t in query.terms for tok in t.tokens)
        return text("product_search.tokens @@ CAST(:tsq AS tsquery)").bindparams(tsq=expr)


def for_session(session: Session) -> SearchRepository:
    return SqliteSearch(session) if session.get_bind().dialect.name == "sqlite" else PostgresSearch(session)
