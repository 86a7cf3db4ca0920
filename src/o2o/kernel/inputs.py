"""The base of request bodies: a JSON value of the wrong kind is refused, not read as something else.

Pydantic's lax mode reads `true`/`false` as 1/0 for a number field and 0/1 as false/true for a
boolean field; the OpenAPI document (JSON Schema) says those are invalid, and so do we: 422 naming
the field. Everything else about lax mode (a numeric string in a query, 3.0 for an integer) stays.
"""

from __future__ import annotations

import re
import types
from datetime import datetime
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ValidationInfo, field_validator

_NUMBER = re.compile(r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$")


def _a_time_not_a_number(value: Any) -> Any:
    """Pydantic reads 1700000000 or "0.5" as seconds since 1970; we take a date and time (ISO 8601)."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value)):
        raise ValueError("a date and time, e.g. 2026-11-24T10:00")
    return value


Moment = Annotated[datetime, BeforeValidator(_a_time_not_a_number)]


def _arms(annotation: Any) -> set[Any]:
    """The plain types a field's annotation allows (unwrapping Optional, unions and Annotated)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _arms(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return set().union(*(_arms(a) for a in get_args(annotation)))
    return {annotation}


class Input(BaseModel):
    _numbers: ClassVar[frozenset[str]] = frozenset()
    _booleans: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        arms = {name: _arms(field.annotation) for name, field in cls.model_fields.items()}
        cls._numbers = frozenset(n for n, a in arms.items() if a & {int, float} and bool not in a)
        cls._booleans = frozenset(n for n, a in arms.items() if bool in a and not a & {int, float})

    @field_validator("*", mode="before")
    @classmethod
    def _json_kind(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name in cls._numbers:
            raise ValueError("a number, not true or false")
        if info.field_name in cls._booleans and value is not None and not isinstance(value, bool):
            raise ValueError("true or false")
        return value
