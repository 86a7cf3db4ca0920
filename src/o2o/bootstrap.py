"""Composition root: which database, clock and adapters; which handlers react to which events."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from o2o.adapters.couriers import Courier
from o2o.adapters.couriers.dada import DadaCourier
from o2o.adapters.couriers.sim import Profile, SimCourier
from o2o.adapters.douyin.login import DouyinLogin
from o2o.adapters.geocoding import Geocoder
from o2o.adapters.geocoding.amap import AmapGeocoder
from o2o.adapters.geocoding.gazetteer import Gazetteer
from o2o.adapters.messages.providers import AliyunSms, FailoverSms, Provider, TencentSms
from o2o.adapters.messages.sms import DevSms, SmsSender
from o2o.adapters.messages.wechat import WechatMini
from o2o.adapters.miniprogram import MiniProgramLogin
from o2o.adapters.payments.sandbox import SandboxPayments
from o2o.adapters.wechat.login import WechatLogin
from o2o.cart import service as carts
from o2o.catalog import handlers as catalog_handlers
from o2o.config import Settings, get_settings
from o2o.couriers import handlers as courier_handlers
from o2o.couriers import service as couriers_service
from o2o.customers import service as customers
from o2o.deps import Container
from o2o.fulfillment import service as fulfillment
from o2o.groupbuy import handlers as groupbuy_handlers
from o2o.groupbuy import service as groupbuy
from o2o.iam import handlers as iam_handlers
from o2o.iam import service as iam
from o2o.iam.tokens import Passwords
from o2o.kernel import pii
from o2o.kernel.clock import Clock, SystemClock
from o2o.kernel.db import Database
from o2o.kernel.outbox import Handler, Relay, RelayThread
from o2o.loyalty import handlers as loyalty_handlers
from o2o.loyalty import service as loyalty
from o2o.messaging import handlers as messaging_handlers
from o2o.messaging import service as messaging
from o2o.orders import handlers as order_handlers
from o2o.orders import payment_handlers
from o2o.orders import service as orders
from o2o.payments import providers as payment_providers
from o2o.promotions import handlers as promotion_handlers
from o2o.returns import handlers as return_handlers
from o2o.returns import service as returns


def dev_secrets_problem(settings: Settings) -> str | None:
    """Outside dev, the secrets still at their built-in dev values (`o2o doctor` shows the same line)."""
    defaults = [name for name in ("secret_key", "payment_secret")
                if getattr(settings, name) == Settings.model_fields[name].default]
    if "secret_key" in defaults and settings.key_file:
        defaults.remove("secret_key")
    if any(name.startswith("sim") for name in settings.couriers) \
            and settings.courier_secret == Settings.model_fields["courier_secret"].default:
        defaults.append("courier_secret")  # anyone could sign a simulated platform's callbacks
    if settings.dev or not defaults:
        return None
    return (f"O2O_ENV={settings.env!r} (not 'dev'): set " + " and ".join(f"O2O_{n.upper()}" for n in defaults)
            + " to secrets of your own")


def build(settings: Settings | None = None, db: Database | None = None, clock: Clock | None = None) -> Container:
    settings = settings or get_settings()
    if problem := dev_secrets_problem(settings):
        raise RuntimeError(problem)
    pii.configure(pii.Keyring.from_settings(settings))
    orders.configure_store_delivery(settings.store_delivery_fee_fen, settings.store_delivery_free_from_fen)
    returns.configure(settings.return_refund_target_hours)
    fulfillment.configure_sla(fulfillment.sla_settings(settings))
    if db is None:
        db = Database.from_url(settings.database_url, pool_size=settings.pool_size,
                               overflow=settings.pool_overflow, pool_timeout=settings.pool_timeout_s,
                               busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    clock = clock or SystemClock()
    sandbox = SandboxPayments(settings.payment_secret, base_url=settings.public_base_url)
    providers, offered = payment_providers.build(settings, sandbox)
    register_merge_steps()
    return Container(settings=settings, db=db, clock=clock, payments=sandbox, providers=providers, offered=offered,
                     sms=DevSms(db, clock, keep=settings.dev), passwords=Passwords(cheap=settings.cheap_password_hashing),
                     logins=mini_program_logins(settings), geocoder=geocoder(settings),
                     couriers=couriers(settings, clock))


def couriers(settings: Settings, clock: Clock) -> dict[str, Courier]:
    """The same-city courier platforms of O2O_COURIERS, in failover order: "sim*" simulated (run by the
    worker, calling back to the app's public URL, read at each call), "dada" Dada's open platform."""
    out: dict[str, Courier] = {}
    for name in settings.couriers:
        if name.startswith("sim"):
            out[name] = SimCourier(name, settings.courier_secret, lambda: settings.public_base_url, clock,
                                   Profile(**settings.courier_sim.get(name, {})), timeout_s=settings.courier_timeout_s)
        elif name == "dada":
            out[name] = DadaCourier(name, settings.dada_app_key, settings.dada_app_secret, settings.dada_source_id,
                                    settings.dada_shop_no, settings.dada_city_code, settings.dada_base_url,
                                    f"{settings.public_base_url}/api/v1/couriers/dada/callback",
                                    timeout_s=settings.courier_timeout_s)
        else:
            raise RuntimeError(f"O2O_COURIERS: unknown courier {name!r} (sim-<name>, dada)")
    return out


def geocoder(settings: Settings) -> Geocoder:
    """AMap's web service when chosen (and keyed), else the offline gazetteer: its file as `o2o seed` wrote
    it, or (no file yet: a database seeded elsewhere, tests) the demo's places without the chain's stores."""
    if settings.geocoder == "amap":
        return AmapGeocoder(settings.amap_key, settings.amap_private_key, settings.amap_base_url,
                            timeout_s=settings.geocoder_timeout_s)
    path = settings.gazetteer_file

    def load():  # type: ignore[no-untyped-def]
        if path.exists():
            from o2o.adapters.geocoding.gazetteer import read
            return read(path)
        from o2o.demo.gazetteer import places
        return places()

    return Gazetteer(load)


def mini_program_logins(settings: Settings) -> dict[str, MiniProgramLogin]:
    """WeChat and Douyin sign-in, for the platforms configured (an app id and secret)."""
    out: dict[str, MiniProgramLogin] = {}
    if settings.wechat_app_id:
        out["wechat"] = WechatLogin(settings.wechat_app_id, settings.wechat_secret, settings.wechat_base_url)
    if settings.douyin_app_id:
        out["douyin"] = DouyinLogin(settings.douyin_app_id, settings.douyin_secret, settings.douyin_base_url)
    return out


def register_merge_steps() -> None:
    """What a customer merge moves besides the customers area's own rows and any plain customer_id column
    (o2o.customers.merge): tables with rules of their own."""
    customers.register_merge_step("cart", carts.merge_customers, ("cart",))
    customers.register_merge_step("iam", iam.merge_customers, ("customer_password",))
    customers.register_merge_step("groupbuy", groupbuy.merge_customers, ("groupbuy_member",))
    customers.register_merge_step("loyalty", loyalty.merge_customers,
                                  ("points_account", "points_entry", "loyalty_spend", "loyalty_redemption"))


def handlers(c: Container) -> dict[str, list[tuple[str, Handler]]]:
    table: dict[str, list[tuple[str, Handler]]] = {}

    def on(topic: str, name: str, fn: Handler) -> None:
        table.setdefault(topic, []).append((name, fn))

    for topic in order_handlers.FOLLOW:
        on(topic, "orders.follow_fulfillment", order_handlers.follow)
    for topic in order_handlers.RESOURCE_TOPICS:  # issue 13: what a store could not serve goes elsewhere
        on(topic, "orders.resource", order_handlers.resource_with(orders.OrderPolicy.from_settings(c.settings)))
    on("order.refund_needed", "payments.refund", payment_handlers.refund_with(c.providers))
    for topic in ("order.expired", "order.cancelled"):
        on(topic, "payments.close_open", payment_handlers.close_with(c.providers))
    for topic in loyalty_handlers.EARN_TOPICS:
        on(topic, "loyalty.earn", loyalty_handlers.earn)
    for topic in loyalty_handlers.REVERSE_TOPICS:
        on(topic, "loyalty.reverse", loyalty_handlers.reverse)
    on("order.returned", "loyalty.returned", loyalty_handlers.returned)
    on("order.paid", "catalog.count_sales", catalog_handlers.count_sales)
    on("order.paid", "groupbuy.paid", groupbuy_handlers.paid)
    for topic in groupbuy_handlers.LEFT_TOPICS:
        on(topic, "groupbuy.left", groupbuy_handlers.left)
    for topic in promotion_handlers.RELEASE_TOPICS:
        on(topic, "promotions.release", promotion_handlers.release)
    on("order.returned", "promotions.returned", promotion_handlers.returned)
    # returns (issue 11): points and coupons follow a refunded return; a till tender is refunded at its provider
    on("return.refunded", "loyalty.return_refunded", loyalty_handlers.returned)
    on("return.refunded", "promotions.return_refunded", promotion_handlers.returned)
    on(return_handlers.TENDER_REFUND, "payments.refund_tender", return_handlers.refund_tender_with(c.payments))
    for topic in promotion_handlers.SIGNUP_TOPICS:
        on(topic, "promotions.signup_coupons", promotion_handlers.signup)
    on(promotion_handlers.TILL_COMPLETED, "promotions.first_visit_till", promotion_handlers.till_visit)
    on(promotion_handlers.PICKED_UP, "promotions.first_visit_pickup", promotion_handlers.pickup_visit)
    sms = sms_sender(c)
    on("iam.code_requested", "messages.sign_in_code_sms", iam_handlers.send_code(sms))
    on("fulfillment.pickup_ready", "messages.pickup_ready_sms", order_handlers.notify_pickup_ready(sms))
    on("order.reassigned", "messages.order_reassigned_sms", order_handlers.notify_reassigned(sms))
    on(loyalty.EXPIRING_TOPIC, "messages.points_expiring_sms", loyalty_handlers.notify_expiring(sms))
    if c.settings.wechat_templates and c.settings.wechat_app_id:
        wechat = WechatMini(c.settings.wechat_app_id, c.settings.wechat_secret, c.settings.wechat_base_url,
                            c.settings.wechat_miniprogram_state, timeout_s=c.settings.sms_timeout_s)
        for topic in messaging_handlers.STATUS_OF:
            on(topic, "messages.wechat_order_status",
               messaging_handlers.notify_order_status(wechat, c.settings.wechat_templates))
    on("customers.erased", "messages.forget_wechat_consents", messaging_handlers.forget_consents)
    # same-city couriers (issue 13): a ready store delivery is dispatched; platform calls go through the outbox
    if c.couriers:
        on(courier_handlers.READY, "couriers.open", courier_handlers.open_delivery)
        on(courier_handlers.DISPATCH, "couriers.dispatch", courier_handlers.dispatch_with(c.couriers, list(c.couriers)))
        on(courier_handlers.CANCEL, "couriers.cancel", courier_handlers.cancel_with(c.couriers))
        on(courier_handlers.TIP, "couriers.tip", courier_handlers.tip_with(c.couriers))
        on(courier_handlers.ORDER_CANCELLED, "couriers.order_cancelled", courier_handlers.order_cancelled)
        # a return's courier pickup (issue 11): dispatched when approved, taken back when withdrawn or refused,
        # its progress shown on the return
        on(courier_handlers.PICKUP_NEEDED, "couriers.open_pickup", courier_handlers.open_pickup)
        for topic in courier_handlers.RETURN_ENDED:
            on(topic, "couriers.return_ended", courier_handlers.return_ended)
        on(return_handlers.PICKUP_MOVED, "returns.pickup_moved", return_handlers.pickup_moved)
    return table


def sms_sender(c: Container) -> SmsSender:
    """The configured real providers in failover order (O2O_SMS_PROVIDERS), else the dev sender."""
    s = c.settings
    made: list[Provider] = []
    for name in s.sms_providers:
        if name == "aliyun":
            made.append(AliyunSms(s.aliyun_sms_access_key_id, s.aliyun_sms_access_key_secret, s.aliyun_sms_sign_name,
                                  s.aliyun_sms_templates, endpoint=s.aliyun_sms_endpoint, timeout_s=s.sms_timeout_s))
        elif name == "tencent":
            made.append(TencentSms(s.tencent_sms_secret_id, s.tencent_sms_secret_key, s.tencent_sms_app_id,
                                   s.tencent_sms_sign_name, s.tencent_sms_templates, region=s.tencent_sms_region,
                                   endpoint=s.tencent_sms_endpoint, timeout_s=s.sms_timeout_s))
        else:
            raise RuntimeError(f"O2O_SMS_PROVIDERS: unknown provider {name!r} (aliyun, tencent)")
    return FailoverSms(made, c.clock) if made else c.sms


def relay(c: Container) -> Relay:
    return Relay(c.db, handlers(c), c.clock, batch=c.settings.relay_batch,
                 redact_topics=frozenset({"iam.code_requested"}))


ANONYMOUS_CART_DAYS = 30
DEV_MESSAGE_HOURS = 24  # the dev SMS inbox keeps a day of messages


def relay_thread(c: Container) -> RelayThread:
    def expire() -> None:
        orders.expire_unpaid(c.db, c.uow)

    last_purge: list[float | None] = [None]

    def purge() -> None:
        """At start, then every 10 minutes: anonymous carts untouched for 30 days go, and dev SMS
        inbox messages older than a day; sign-in sessions and codes older than `ip_retention_days`
        keep only the client's network (IPv4 /24, IPv6 /48), not its address."""
        if last_purge[0] is None or time.monotonic() - last_purge[0] >= 600:
            last_purge[0] = time.monotonic()
            now = c.clock.now()
            carts.purge_anonymous(c.uow(), now - timedelta(days=ANONYMOUS_CART_DAYS))
            c.sms.purge(now - timedelta(hours=DEV_MESSAGE_HOURS))
            iam.forget_addresses(c.uow, now - timedelta(days=c.settings.ip_retention_days))
            messaging.forget_sends(c.uow(), now - timedelta(days=c.settings.sms_record_days))

    last_loyalty: list[float | None] = [None]

    def points() -> None:
        """Every minute: points past their horizon expire, expiring-soon notices, tier reviews."""
        if last_loyalty[0] is None or time.monotonic() - last_loyalty[0] >= 60:
            last_loyalty[0] = time.monotonic()
            loyalty.periodic(c.uow, c.db)

    last_groups: list[float | None] = [None]

    def groups() -> None:
        """Every 15 seconds: group-buying groups out of time fail (orders cancelled and refunded)."""
        if last_groups[0] is None or time.monotonic() - last_groups[0] >= 15:
            last_groups[0] = time.monotonic()
            groupbuy.close_due(c.db, c.uow)

    last_sla: list[float | None] = [None]

    def sla_watch() -> None:
        """Every minute: promises within the warning lead or past are announced (fulfillment.at_risk,
        fulfillment.late; once each, whichever worker runs it)."""
        if last_sla[0] is None or time.monotonic() - last_sla[0] >= 60:
            last_sla[0] = time.monotonic()
            fulfillment.watch_sla(c.uow())

    return RelayThread(relay(c), c.settings.relay_poll_s, periodic=[expire, purge, points, groups, sla_watch,
                                                                     *courier_jobs(c)])


def courier_jobs(c: Container) -> list[Callable[[], None]]:
    """The simulated platforms' own life (every round), deliveries no rider took in time (every 15 s), and
    deliveries not heard of for a while asked about (every minute)."""
    if not c.couriers:
        return []
    last: dict[str, float] = {}

    def due(name: str, every_s: float) -> bool:
        now = time.monotonic()
        if name in last and now - last[name] < every_s:
            return False
        last[name] = now
        return True

    def run() -> None:
        try:  # a failing courier job must not hold up the relay's round
            for courier in c.couriers.values():
                if isinstance(courier, SimCourier):
                    courier.advance()
            if due("expire", 15):
                couriers_service.expire_waiting(c.db, c.uow, c.settings.courier_expire_minutes)
            if due("poll", 60):
                couriers_service.poll(c.db, c.uow, c.couriers, c.settings.courier_poll_minutes)
        except Exception:
            logging.getLogger("o2o.couriers").exception("courier jobs failed (retried next round)")

    return [run]
