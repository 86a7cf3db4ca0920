"""Settings from the environment (O2O_*)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="O2O_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'var' / 'o2o.db'}"
    host: str = "127.0.0.1"
    port: int = 8000
    # bounded connection pool: requests beyond it wait (back-pressure), then get a clean 503
    pool_size: int = 20
    pool_overflow: int = 0
    pool_timeout_s: float = 10.0
    sqlite_busy_timeout_ms: int = 30_000
    payment_secret: str = "sandbox-payment-secret-change-me"
    unpaid_order_ttl_minutes: int = 30
    max_delivery_radius_m: int = 5_000  # the largest store radius: bounds the H3 candidate search
    relay_poll_s: float = 0.5
    relay_batch: int = 100
    public_base_url: str = "http://127.0.0.1:8000"


@lru_cache
def get_settings() -> Settings:
    return Settings()
