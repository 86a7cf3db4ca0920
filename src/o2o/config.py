"""Settings from the environment (O2O_*)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
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
    # a request waits this long in line for one of the pool's slots (a flash crowd queues), then gets 503
    queue_wait_s: float = 10.0
    # requests inside a worker process at once (at most the pool's connections); the rest wait in line,
    # in arrival order. Fewer threads fighting over one interpreter lock gives steadier latencies
    # (6 measured best on 2 cores: flash-crowd p99 1.6 s instead of 2.9 s at 20, same throughput)
    max_inflight: int = 6
    # /metrics: with a token set, only `Authorization: Metrics <token>`; without, only from loopback/private networks
    metrics_token: str = ""
    # on SIGTERM a server process answers /readyz 503 for this long before it stops accepting connections
    # (the load balancer's probe sees it and sends no more), then finishes the requests in flight
    shutdown_drain_s: float = 0.0
    slow_request_s: float = 1.0  # a request slower than this is logged (one line, with its time in the queue)
    sqlite_busy_timeout_ms: int = 30_000
    payment_secret: str = "sandbox-payment-secret-change-me"
    # WeChat Pay API v3 (offered once mch id, keys and API v3 key are set); key files are PEM paths
    wechatpay_mch_id: str = ""
    wechatpay_app_id: str = ""
    wechatpay_private_key_file: Path | None = None  # the merchant API key (apiclient_key.pem)
    wechatpay_serial_no: str = ""  # the merchant API certificate's serial number
    wechatpay_api_v3_key: str = ""  # 32 characters
    wechatpay_platform_key_file: Path | None = None  # platform certificate or platform public key
    wechatpay_platform_serial: str = ""  # its serial / public key id (PUB_KEY_ID_...); empty: the certificate's
    wechatpay_notify_url: str = ""  # default: public_base_url + /api/v1/payments/wechatpay/notify
    wechatpay_base_url: str = "https://api.mch.weixin.qq.com"
    # Alipay (offered once app id and both keys are set)
    alipay_app_id: str = ""
    alipay_private_key_file: Path | None = None  # the application's private key
    alipay_public_key_file: Path | None = None  # Alipay's public key
    alipay_notify_url: str = ""  # default: public_base_url + /api/v1/payments/alipay/notify
    alipay_return_url: str = ""  # default: public_base_url + /shop/orders
    alipay_gateway_url: str = "https://openapi.alipay.com/gateway.do"
    payment_timeout_s: float = 10.0  # one request to a provider
    unpaid_order_ttl_minutes: int = 30
    max_delivery_radius_m: int = 5_000  # the largest store radius: bounds the H3 candidate search
    sourcing_max_split: int = Field(2, ge=1, le=10)  # the most locations one order is sourced from (issue 13)
    # SLA (issue 13, o2o.fulfillment.sla): minutes from payment (or the store's next opening) to pickup ready,
    # store delivery delivered, parcel shipped; night urgent delivery from 24-hour stores inside the night
    # window (the store's local time); the watch announces a promise at risk this many minutes before it
    sla_pickup_minutes: int = Field(30, ge=1, le=10_080)
    sla_store_delivery_minutes: int = Field(120, ge=1, le=10_080)
    sla_parcel_minutes: int = Field(1_440, ge=1, le=43_200)
    sla_night_minutes: int = Field(60, ge=1, le=10_080)
    sla_night_start: str = Field("22:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    sla_night_end: str = Field("07:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    sla_warning_minutes: int = Field(10, ge=0, le=1_440)
    # the store-delivery fee and the subtotal from which it is free (fen; orders.pricing; the shop's cart bar)
    store_delivery_fee_fen: int = Field(600, ge=0, le=100_000)
    store_delivery_free_from_fen: int = Field(5_900, ge=0, le=10_000_000)
    relay_poll_s: float = 0.5
    relay_batch: int = 100
    public_base_url: str = "http://127.0.0.1:8000"
    # uploaded files (product images), served by the app under /media; back it up with the database
    media_dir: Path = ROOT / "var" / "media"
    # geocoding of typed addresses: "gazetteer" (the demo's offline file, written by `o2o seed`) or "amap"
    geocoder: str = "gazetteer"
    gazetteer_file: Path = ROOT / "var" / "gazetteer.json"
    amap_key: str = ""
    amap_private_key: str = ""  # the key's 数字签名 secret: requests carry `sig` when set
    amap_base_url: str = "https://restapi.amap.com"
    geocoder_timeout_s: float = 3.0
    # "dev" (what `o2o demo` and the tests use) turns on the dev SMS inbox and the payment sandbox and
    # allows the built-in dev secrets; anything else needs real secrets and turns the dev tools off
    env: str = "production"
    # personal data at rest: keys derive from secret_key unless key_file (JSON keyring) is given
    secret_key: str = "dev-only-secret-key-change-me-in-production"
    key_file: Path | None = None
    # browser origins allowed to call the API with credentials (CORS); empty: same origin only
    cors_origins: list[str] = []
    # Host headers the app answers (a guard against DNS rebinding); add your domain in production
    allowed_hosts: list[str] = ["127.0.0.1", "localhost", "testserver"]

    @field_validator("cors_origins")
    @classmethod
    def _explicit_origins(cls, v: list[str]) -> list[str]:
        if any("*" in origin for origin in v):
            raise ValueError("list each origin: a wildcard with credentials would trust every site")
        return v
    access_token_minutes: int = 60
    refresh_token_days: int = 30
    cookie_session_days: int = 14
    # sign-in sessions and codes keep a client's full IP address this long, then only its network
    # (IPv4 /24, IPv6 /48; the worker cuts it); the audit log keeps only the network from the start
    ip_retention_days: int = 30
    otp_minutes: int = 5
    max_failures: int = 5  # wrong codes or passwords before a lock-out
    lock_minutes: int = 15
    cheap_password_hashing: bool = False  # tests only: argon2id with 8 MiB instead of 64 MiB
    # returns: the target from a return's request to its refund (the back-office's time-to-refund figure)
    return_refund_target_hours: int = 72
    # mini-program sign-in (code2session); empty app id: that platform's sign-in answers 503
    wechat_app_id: str = ""
    wechat_secret: str = ""
    wechat_base_url: str = "https://api.weixin.qq.com"
    douyin_app_id: str = ""
    douyin_secret: str = ""
    douyin_base_url: str = "https://developer.toutiao.com"
    # log lines: "line" (readable) or "json" (one object per line, with the request id); read by
    # kernel.logs from O2O_LOG_FORMAT before the settings exist
    log_format: str = "line"
    # SMS: real providers in failover order ("aliyun", "tencent"); empty: the dev sender (log only
    # outside dev). Template ids per message kind (sign_in_code, pickup_ready, order_reassigned,
    # points_expiring) as a JSON object
    sms_providers: list[str] = []
    sms_timeout_s: float = 5.0
    # what was sent to whom (sms_send: sealed phone, provider id, receipt) is kept this long, then deleted
    sms_record_days: int = 30
    # delivery receipts: /api/v1/messages/sms/receipts/{provider}/{token} (empty: receipts refused)
    sms_receipt_token: str = ""
    aliyun_sms_access_key_id: str = ""
    aliyun_sms_access_key_secret: str = ""
    aliyun_sms_sign_name: str = ""
    aliyun_sms_templates: dict[str, str] = {}
    aliyun_sms_endpoint: str = "https://dysmsapi.aliyuncs.com"
    tencent_sms_secret_id: str = ""
    tencent_sms_secret_key: str = ""
    tencent_sms_app_id: str = ""  # SmsSdkAppId
    tencent_sms_sign_name: str = ""
    tencent_sms_templates: dict[str, str] = {}
    tencent_sms_region: str = "ap-guangzhou"
    tencent_sms_endpoint: str = "https://sms.tencentcloudapi.com"
    # WeChat subscription messages (the mini-program of O2O_WECHAT_APP_ID / O2O_WECHAT_SECRET, through
    # O2O_WECHAT_BASE_URL): template id per order status (order_paid, pickup_ready, shipped, cancelled)
    wechat_templates: dict[str, str] = {}
    wechat_miniprogram_state: str = "formal"  # formal | trial | developer
    # same-city couriers (issue 13), in failover order: "sim-a", "sim-b" ... (simulated platforms run by the
    # worker, calling back to public_base_url) and/or "dada" (Dada's open platform, with the keys below).
    # Empty: store deliveries are shipped and confirmed by hand
    couriers: list[str] = []
    courier_secret: str = "sim-courier-secret-change-me"  # the simulated platforms' app secret
    # a simulated platform's behaviour by name (o2o.adapters.couriers.sim.Profile fields as JSON), e.g.
    # {"sim-a": {"refuse": 0.1, "lose": 0.05, "reassign": 0.1, "cancel": 0.05}}
    courier_sim: dict[str, dict[str, Any]] = {}
    courier_expire_minutes: float = Field(10.0, gt=0, le=240)  # no rider this long: fail over to the next courier
    courier_poll_minutes: float = Field(3.0, gt=0, le=240)  # no callback this long: ask the platform (lost ones)
    courier_timeout_s: float = 5.0
    dada_app_key: str = ""
    dada_app_secret: str = ""
    dada_source_id: str = ""
    dada_shop_no: str = ""
    dada_city_code: str = "021"
    dada_base_url: str = "https://newopen.imdada.cn"

    @property
    def dev(self) -> bool:
        return self.env == "dev"

    @property
    def https(self) -> bool:
        return self.public_base_url.startswith("https://")


@lru_cache
def get_settings() -> Settings:
    return Settings()
