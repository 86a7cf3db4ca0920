"""Pages of the console front-end (server-rendered; access per route in o2o.iam.permissions)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
