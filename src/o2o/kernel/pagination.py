"""Page parameters and the page envelope every list endpoint returns."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")
MAX_PAGE_SIZE = 200


class PageParams(BaseModel):
    page: int = Field(1, ge=1, le=100_000)
    size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    size: int
    total: int
