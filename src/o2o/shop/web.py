"""The storefront's one router: every page module registers its routes on it (the app's route list,
which the permission table is checked against, sees only a router's own routes)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
