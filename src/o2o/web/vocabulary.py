"""The words services write into rows in English, shown in the page's language (one language per page).

Services record a routing reason ("chosen store lacks stock; nearest store within 5000 m with every line
(2600 m)"), an actor ("h5", "router", "payment:sandbox", "staff:zhang.wei", "customer:12"), a history note
("hold released; refund 1290 fen") and an audit action ("POST /api/v1/stock/movements", "pii.read") for the
logs and the API. Pages pass them through the filters here (`{{ order.route_reason|route_reason }}`,
`|actor`, `|history_note`, `|audit_action`, `|role_name`): each known part is translated, the rest (a
name, a number, a path, a person's own words) stays as written. `|line_name` gives an order line's product
name in the page's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime

import jinja2

from o2o.kernel.catalogs import fallbacks
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.money import format_cny
from o2o.web.vocabulary_extra_texts import TEXTS as EXTRA_TEXTS
from o2o.web.vocabulary_pickup_texts import TEXTS as PICKUP_TEXTS
from o2o.web.vocabulary_resourcing_texts import TEXTS as RESOURCING_TEXTS
from o2o.web.vocabulary_texts import TEXTS

TABLES = (TEXTS, EXTRA_TEXTS, RESOURCING_TEXTS, PICKUP_TEXTS)


class Translator:
    """`t(key, **values)` over this module's table in one language and its fallbacks (no import of
    o2o.web.templating, which installs these filters)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        chain = fallbacks(locale) if locale in TEXTS else fallbacks("zh-CN")
        self.texts: dict[str, str] = {}
        for fallback in reversed(chain):
            for table in TABLES:
                self.texts.update(table.get(fallback, {}))

    def __call__(self, key: str, **values: object) -> str:
        text = self.texts.get(key, key)
        return text.format(**values) if values else text


# the sourcing engine (o2o.fulfillment.sourcing: engine.py, search.py, rules.py), every text it writes
_SOURCING_LIMITS: list[tuple[re.Pattern[str], Callable[[re.Match[str], Translator], str]]] = [
    (re.compile(r"^cp-sat time limit (?P<seconds>\S+)s: best plan found, not proven optimal$"),
     lambda m, t: t("src.cpsat_limit", **m.groupdict())),
    (re.compile(r"^cp-sat stopped at (?P<seconds>\S+)s without a plan$"),
     lambda m, t: t("src.cpsat_stopped", **m.groupdict())),
]
_SOURCING_WHY = [
    (re.compile(r"^no eligible location holds (?P<q>\d+) unit\(s\)$"), lambda m, t: t("src.no_holder", q=m["q"])),
    (re.compile(r"^no plan from at most (?P<n>\d+) location\(s\) holds every line$"),
     lambda m, t: t("src.no_plan", n=m["n"])),
    *_SOURCING_LIMITS,
]
_SOURCING: list[tuple[re.Pattern[str], Callable[[re.Match[str], Translator], str]]] = [
    (re.compile(r"^(?P<n>\d+) location\(s\), (?P<fen>-?\d+) fen by (?P<method>[\w-]+)(?: \((?P<limit>.*)\))?$"),
     lambda m, t: t("src.planned_limit" if m["limit"] else "src.planned", n=m["n"], cost=format_cny(int(m["fen"])),
                    method=sourcing_method(m["method"], t.locale),
                    limit=_one(m["limit"] or "", _SOURCING_LIMITS, t))),
    (re.compile(r"^sku (?P<sku>\d+): (?P<why>.+)$"),
     lambda m, t: t("src.sku", sku=m["sku"], why=_one(m["why"], _SOURCING_WHY, t))),
    *_SOURCING_WHY,
]
_SOURCING_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], Translator], str]]] = [
    (re.compile(r"^(?P<name>.+): at most (?P<n>\d+) location\(s\)$"), lambda m, t: t("src.rule.max_split", **m.groupdict())),
    (re.compile(r"^(?P<name>.+): ruled out (?P<n>\d+) location\(s\)$"),
     lambda m, t: t("src.rule.ruled_out", **m.groupdict())),
]
_SOURCING_METHODS = ("exact", "cp-sat", "none")

_REASONS: list[tuple[re.Pattern[str], Callable[[re.Match[str], Translator], str]]] = [
    (re.compile(r"^chosen store has every line$"), lambda m, t: t("reason.chosen")),
    (re.compile(r"^chosen store lacks stock$"), lambda m, t: t("reason.chosen_short")),
    (re.compile(r"^chosen store cannot serve this mode$"), lambda m, t: t("reason.chosen_mode")),
    (re.compile(r"^nearest store within (?P<radius>\d+) m with every line \((?P<distance>\d+) m\)$"),
     lambda m, t: t("reason.nearest", **m.groupdict())),
    (re.compile(r"^no store within its radius has every line$"), lambda m, t: t("reason.no_store")),
    (re.compile(r"^parcel wanted$"), lambda m, t: t("reason.parcel_wanted")),
    (re.compile(r"^(?P<kind>warehouse|store) (?P<name>.+) ships by parcel$"),
     lambda m, t: t(f"reason.parcel.{m['kind']}")),  # the location is named on the page, in its language
    (re.compile(r"^moved from location (?P<src>\d+) to (?P<dst>\d+) by head office(?:: (?P<words>.*))?$"),
     lambda m, t: t("reason.moved", src=m["src"], dst=m["dst"]) + (f": {m['words']}" if m["words"] else "")),
    *_SOURCING,  # orders routed by the sourcing engine keep its reason
    (re.compile(r"^re-sourced from location (?P<src>\d+)$"), lambda m, t: t("resource.from", src=m["src"])),
    (re.compile(r"^till (?P<till>.+), offline sale (?P<sale>\S+)$"), lambda m, t: t("till.offline_sale", **m.groupdict())),
    (re.compile(r"^sold at (?P<at>\d{4}-\d\d-\d\dT\S+)$"), lambda m, t: t("till.sold_at", at=_local_time(m["at"]))),
]

_NOTES: list[tuple[re.Pattern[str], Callable[[re.Match[str], Translator], str]]] = [
    (re.compile(r"^paid at the till$"), lambda m, t: t("note.paid_till")),
    (re.compile(r"^sold at the till$"), lambda m, t: t("note.sold_till")),
    (re.compile(r"^hold released$"), lambda m, t: t("note.hold_released")),
    (re.compile(r"^unpaid$"), lambda m, t: t("note.unpaid")),
    (re.compile(r"^pickup code re-issued$"), lambda m, t: t("note.code_reissued")),
    (re.compile(r"^pickup (?P<s>requested|scheduled|picked_up|delivered|failed)$"),  # a return's courier pickup
     lambda m, t: t(f"pickup.note.{m['s']}")),
    (re.compile(r"^short pick: the customer cancelled$"), lambda m, t: t("note.short_cancelled")),
    (re.compile(r"^refund (?P<fen>\d+) fen$"), lambda m, t: t("note.refund", amount=format_cny(int(m["fen"])))),
    (re.compile(r"^partial accepted: (?P<items>.*)$"),
     lambda m, t: t("note.partial", items=", ".join(
         t("note.sku", sku=x[1], n=x[2]) if (x := re.match(r"sku (\d+) -(\d+)$", part.strip())) else part.strip()
         for part in m["items"].split(",")))),
    (re.compile(r"^sku \d+: \d+ resellable, \d+ damaged(?:, sku \d+: \d+ resellable, \d+ damaged)*$"),
     lambda m, t: _separator(t.locale).join(  # a return received at a store: what came back, per SKU
         t("return.received", sku=x[0], good=x[1], bad=x[2])
         for x in re.findall(r"sku (\d+): (\d+) resellable, (\d+) damaged", m[0]))),
    # re-sourcing (issue 13): the part that gave units away, the order, a store's rejection (its words kept)
    (re.compile(r"^re-sourced to (?P<parts>\d+: sku \d+ x\d+(?:(?: sku \d+ x\d+)|(?:, \d+: sku \d+ x\d+))*)$"),
     lambda m, t: t("resource.to", parts=", ".join(
         t("resource.part", loc=loc, sku=sku, n=n) for loc, items in re.findall(r"(\d+): ((?:sku \d+ x\d+ ?)+)",
                                                                               m["parts"])
         for sku, n in re.findall(r"sku (\d+) x(\d+)", items)))),
    (re.compile(r"^re-sourced from location (?P<src>\d+) to (?P<dst>\d+(?:, \d+)*)$"),
     lambda m, t: t("resource.moved", src=m["src"], dst=m["dst"].replace(", ", ", #"))),
    (re.compile(r"^rejected by the store: (?P<why>.*)$"), lambda m, t: t("resource.rejected", why=m["why"])),
    *_REASONS,
]


_CHANNELS = ("h5", "app", "mini_program", "pos", "router", "system", "api", "customer", "sign-in")
_PREFIXED = {"payment": "actor.payment", "staff": "actor.staff", "api_key": "actor.api_key",
             "customer": "actor.customer_id", "pos": "actor.till", "till": "actor.till",
             "courier": "actor.courier", "supplier": "actor.supplier"}
_NAMED_ACTIONS = ("pii.read", "customers.merge", "customers.created", "customers.erased", "http.request",
                  "staff.sign_in", "staff.sign_in_failed", "staff.sign_in_locked", "staff.sign_out",
                  "staff.sign_out_everywhere", "staff.password_set")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_ROLES = ("platform_admin", "operator", "store_manager", "clerk", "supplier", "analyst", "customer", "api_key",
          "integration")

_translators: dict[str, Translator] = {}


def translator(locale: str) -> Translator:
    found = _translators.get(locale)
    if found is None:
        found = _translators[locale] = Translator(locale)
    return found


def _separator(locale: str) -> str:
    return "; " if locale == "en" else "；"


def _parts(text: str, patterns: list, t: Translator) -> str:  # type: ignore[type-arg]
    out = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        for pattern, say in patterns:
            m = pattern.match(part)
            if m:
                out.append(say(m, t))
                break
        else:
            out.append(part)
    return _separator(t.locale).join(out)


def _local_time(iso: str) -> str:
    """"2026-11-24T02:00:00+00:00" as Shanghai's wall clock, "2026-11-24 10:00" (as written if unreadable)."""
    try:
        at = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return (at.astimezone(SHANGHAI) if at.tzinfo else at).strftime("%Y-%m-%d %H:%M")


def _one(text: str, patterns: list, t: Translator) -> str:  # type: ignore[type-arg]
    for pattern, say in patterns:
        m = pattern.match(text)
        if m:
            return str(say(m, t))
    return text


def sourcing_reason(reason: str | None, locale: str) -> str:
    """A sourcing decision's reason ("2 location(s), 1450 fen by exact"; "sku 3: no eligible location holds
    2 unit(s); sku 5: ...") in `locale`."""
    return _parts(reason or "", _SOURCING, translator(locale))


def sourcing_method(method: str | None, locale: str) -> str:
    """How the plan was searched: "exact", "cp-sat" or "none", in words."""
    return translator(locale)(f"src.method.{method}") if method in _SOURCING_METHODS else (method or "")


def sourcing_rule(note: str | None, locale: str) -> str:
    """What a sourcing rule did ("night: ruled out 3 location(s)"); the rule's name stays as written."""
    return _one((note or "").strip(), _SOURCING_RULES, translator(locale))


def route_reason(reason: str | None, locale: str) -> str:
    """A routing reason ("chosen store lacks stock; nearest store within 5000 m ...") in `locale`."""
    return _parts(reason or "", _REASONS, translator(locale))


def history_note(note: str | None, locale: str) -> str:
    """A history row's note: known system notes translated, a person's own words kept."""
    return _parts(note or "", _NOTES, translator(locale))


def actor(value: str | None, locale: str) -> str:
    """Who did it: "h5" -> 网页商城, "payment:sandbox" -> 支付（沙箱）, "staff:zhang.wei" -> 员工 zhang.wei."""
    value = (value or "").strip()
    t = translator(locale)
    if value in _CHANNELS:
        return t(f"actor.{value}")
    kind, sep, rest = value.partition(":")
    if sep and kind in _PREFIXED:
        who = rest.strip()
        if kind == "payment":
            who = t(f"provider.{who}") if who in ("sandbox", "wechat", "alipay") else who
        elif kind == "customer":  # "customer:12 verified phone": the id, then what it says
            who = who.split(" ", 1)[0]
        return t(_PREFIXED[kind], who=who)
    if sep and kind == "system":
        return t("actor.system")
    return value


def audit_action(action: str | None, locale: str) -> str:
    """An audit action in words: "pii.read" -> 查看个人信息; "PATCH /api/v1/x" -> 修改 (the path stays)."""
    action = (action or "").strip()
    t = translator(locale)
    if action in _NAMED_ACTIONS:
        return t(f"audit.{action}")
    method, sep, _path = action.partition(" ")
    if sep and method in _METHODS:
        return t(f"audit.method.{method}")
    return action


_REFUND_KINDS = ("payment", "card", "wechat", "alipay", "cash", "store_credit")


def refund_kind(kind: str | None, locale: str) -> str:
    """How a return's money went back: "store_credit" -> 储值余额."""
    return translator(locale)(f"refund.{kind}") if kind in _REFUND_KINDS else (kind or "")


def role_name(role: str | None, locale: str) -> str:
    return translator(locale)(f"role.{role}") if role in _ROLES else (role or "")


def line_name(line: object, locale: str) -> str:
    """An order line's product name in the page's language (kept in both since 0017), else as placed."""
    get = line.get if isinstance(line, Mapping) else lambda key, default=None: getattr(line, key, default)
    chosen = get("name_zh") if locale.startswith("zh") else get("name_en")
    return chosen or get("name", "")


def _filter(fn: Callable[[str | None, str], str]) -> Callable[..., str]:
    @jinja2.pass_context
    def apply(context: jinja2.runtime.Context, value: str | None) -> str:
        return fn(value, context.get("locale") or "zh-CN")

    return apply


FILTERS = {"route_reason": _filter(route_reason), "history_note": _filter(history_note), "actor": _filter(actor),
           "audit_action": _filter(audit_action), "role_name": _filter(role_name),
           "line_name": _filter(line_name), "sourcing_reason": _filter(sourcing_reason),
           "sourcing_method": _filter(sourcing_method), "sourcing_rule": _filter(sourcing_rule),
           "refund_kind": _filter(refund_kind)}  # type: ignore[arg-type]


def install(env: jinja2.Environment) -> None:
    env.filters.update(FILTERS)
