"""Campaigns (promotions:manage): automatic promotions and coupon templates, listed, created and edited on
one form per kind (what it gives, scope, channels, window, quantity, budget, per-customer limit, tiers, an
LBS store and radius, the restore policy, automatic issue), each bad field told at the field; a coupon is
issued to a list of customers or a segment; each campaign has a results page (issued, redeemed, GMV
driven, cost) with a chart by day.

Money is typed in yuan and kept in fen; times are typed in the chain's zone (Asia/Shanghai) and kept in
UTC. The page checks what only a form can get wrong (a price, a date, a list of numbers) and the
promotions area's schemas check the rest; either way the message sits next to its field. Saves are
audited by their unit of work."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from o2o.backoffice import charts
from o2o.backoffice.campaign_texts import TEXTS
from o2o.backoffice.common import FormDep, field_errors, not_found, page, router, text, yuan, yuan_to_fen
from o2o.deps import ContainerDep, Uow
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.errors import InvalidInput, NotFound, Problem
from o2o.kernel.ids import Id
from o2o.kernel.pagination import PageParams
from o2o.locations import service as locations
from o2o.loyalty import service as loyalty
from o2o.promotions import service as promotions
from o2o.promotions.schemas import IssueIn, PromotionIn, TemplateIn
from o2o.web.templating import locale_of

Errors = dict[str, tuple[str, dict[str, Any]]]
WHAT = {"promotion": "promotion", "coupon": "template"}
PROMOTION_KINDS = ("threshold", "percent", "nth_discount", "buy_x_get_y", "sale_price", "free_delivery", "gift")
COUPON_KINDS = ("threshold", "percent", "free_delivery", "gift", "service")
CHANNELS = ("both", "online", "till")
LISTED = 100  # the newest campaigns of each kind on the list page

TEXT_FIELDS = {"name_zh": 80, "name_en": 80, "label_zh": 40, "label_en": 60, "group_code": 40}
YUAN = ("min_fen", "off_fen", "cap_fen", "price_fen")  # 0 when empty
YUAN_OPTIONAL = ("budget_fen",)  # None when empty
WHOLE = {"pct_off": 0, "nth": 0, "buy": 0, "get": 0, "gift_sku_id": 0, "per_customer_limit": 1, "radius_m": 3000}
WHOLE_OPTIONAL = ("valid_days", "total_qty")
IDS = ("sku_ids", "category_ids")
FLAGS = ("repeat", "exclusive", "active", "claimable")
WHEN = ("starts_at", "ends_at", "claim_from", "claim_until", "valid_from", "valid_until")
WHEN_OPTIONAL = ("valid_from", "valid_until")
ONLY = {"promotion": {"nth", "buy", "get", "price_fen", "starts_at", "ends_at"},
        "coupon": {"claim_from", "claim_until", "valid_from", "valid_until", "valid_days", "total_qty",
                   "per_customer_limit", "store_id", "radius_m", "on_cancel", "auto_issue", "claimable"}}
_WHEN = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?$")
_IDS = re.compile(r"^\s*\d{1,18}(\s*[,，\s]\s*\d{1,18})*\s*$")


def _applies(kind: str, name: str) -> bool:
    return name not in ONLY["promotion" if kind == "coupon" else "coupon"]


def _when_text(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if value else ""


def _fen_text(fen: int | None) -> str:
    if fen is None:
        return ""
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def _parse_when(raw: str) -> datetime | None:
    m = _WHEN.match(raw.strip())
    if not m:
        return None
    try:
        local = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}")
    except ValueError:
        return None
    return local.replace(tzinfo=SHANGHAI).astimezone(UTC)


def _whole(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 15 else None


def blank(kind: str, now: datetime) -> dict[str, Any]:
    """A new campaign's form: sensible defaults (starts now, runs a month)."""
    start = now.astimezone(SHANGHAI).replace(second=0, microsecond=0)
    values: dict[str, Any] = {name: "" for name in (*TEXT_FIELDS, *YUAN, *YUAN_OPTIONAL, *WHOLE, *WHOLE_OPTIONAL,
                                                    *IDS, *WHEN)}
    values.update({name: False for name in FLAGS})
    values.update({"kind": "threshold", "channel": "both", "active": True, "claimable": True,
                              "on_cancel": "restore", "auto_issue": "none", "per_customer_limit": "1",
                              "radius_m": "3000", "location_ids": [], "tier_codes": [], "store_id": ""})
    for name in ("starts_at", "claim_from"):
        values[name] = _when_text(start)
    for name in ("ends_at", "claim_until"):
        values[name] = _when_text(start + timedelta(days=30))
    return values


def values_of(kind: str, item: Any) -> dict[str, Any]:
    """A saved campaign as its form shows it."""
    values: dict[str, Any] = {}
    for name in (*TEXT_FIELDS, "kind", "channel", "on_cancel", "auto_issue"):
        if hasattr(item, name):
            values[name] = getattr(item, name) or ""
    for name in (*YUAN, *YUAN_OPTIONAL):
        if hasattr(item, name):
            values[name] = _fen_text(getattr(item, name))
    for name in (*WHOLE, *WHOLE_OPTIONAL):
        if hasattr(item, name):
            v = getattr(item, name)
            values[name] = "" if v is None else str(v)
    for name in IDS:
        values[name] = ", ".join(str(i) for i in getattr(item, name, []) or [])
    for name in FLAGS:
        values[name] = bool(getattr(item, name, False))
    for name in WHEN:
        if hasattr(item, name):
            values[name] = _when_text(getattr(item, name))
    values["location_ids"] = [str(i) for i in getattr(item, "location_ids", []) or []]
    values["tier_codes"] = list(getattr(item, "tier_codes", []) or [])
    values["store_id"] = str(item.store_id) if getattr(item, "store_id", None) else ""
    return values


def read(kind: str, form: FormData) -> tuple[dict[str, Any], dict[str, Any], Errors]:
    """(the form as typed, the schema's input, the errors only a form can have)."""
    shown: dict[str, Any] = {}
    data: dict[str, Any] = {}
    errors: Errors = {}
    for name, limit in TEXT_FIELDS.items():
        shown[name] = data[name] = text(form, name, limit + 1)
    for name in ("kind", "channel", "on_cancel", "auto_issue"):
        shown[name] = data[name] = text(form, name, 20)
    for name in (*YUAN, *YUAN_OPTIONAL):
        raw = shown[name] = text(form, name, 20)
        if not raw:
            data[name] = None if name in YUAN_OPTIONAL else 0
        elif (fen := yuan_to_fen(raw)) is None:
            errors[name] = ("err.yuan", {})
        else:
            data[name] = fen
    for name, default in WHOLE.items():
        raw = shown[name] = text(form, name, 20)
        if not raw:
            data[name] = default
        elif (n := _whole(raw)) is None:
            errors[name] = ("err.number", {})
        else:
            data[name] = n
    for name in WHOLE_OPTIONAL:
        raw = shown[name] = text(form, name, 20)
        if raw and (n := _whole(raw)) is None:
            errors[name] = ("err.number", {})
        else:
            data[name] = _whole(raw) if raw else None
    for name in IDS:
        raw = shown[name] = text(form, name, 2000)
        if raw and not _IDS.match(raw):
            errors[name] = ("err.ids", {})
        else:
            data[name] = [int(x) for x in re.split(r"[,，\s]+", raw.strip()) if x] if raw else []
    for name in FLAGS:
        shown[name] = data[name] = form.get(name) == "1"
    for name in WHEN:
        raw = shown[name] = text(form, name, 30)
        if not raw:
            data[name] = None
            if name not in WHEN_OPTIONAL and _applies(kind, name):
                errors[name] = ("err.required", {})
        elif (when := _parse_when(raw)) is None:
            errors[name] = ("err.when", {})
        else:
            data[name] = when
    stores = [v for v in form.getlist("location_ids") if isinstance(v, str) and v]
    shown["location_ids"] = stores
    data["location_ids"] = [int(v) for v in stores if v.isascii() and v.isdigit() and len(v) < 19]
    tiers = [v for v in form.getlist("tier_codes") if isinstance(v, str) and v]
    shown["tier_codes"] = tiers
    data["tier_codes"] = [v[:20] for v in tiers]
    raw_store = shown["store_id"] = text(form, "store_id", 20)
    data["store_id"] = int(raw_store) if raw_store.isascii() and raw_store.isdigit() and len(raw_store) < 19 else None
    return shown, {k: v for k, v in data.items() if _applies(kind, k)}, errors


# a rule the schemas check across fields (their message) -> the form field it is told at, and the text
RULES = (("threshold needs", "off_fen", "err.threshold"), ("percent needs", "pct_off", "err.pct"),
         ("nth_discount needs", "nth", "err.nth"), ("buy_x_get_y needs", "buy", "err.buy"),
         ("sale_price needs", "price_fen", "err.sale"), ("gift needs", "gift_sku_id", "err.gift"),
         ("ends_at must come after", "ends_at", "err.window"), ("claim_until must come after", "claim_until", "err.window"),
         ("valid_until must come after", "valid_until", "err.window"), ("give valid_from", "valid_days", "err.validity"),
         ("is for automatic promotions", "kind", "err.choice"))


def _schema_errors(exc: ValidationError, known: Errors) -> Errors:
    """The schema's errors at their fields; a rule across fields at the field it is about, unless the form
    already told a field of it (a price that is not one makes the rule fail too: say the first thing only)."""
    out: Errors = {}
    for name, err in field_errors(exc).items():
        if name not in ("form", ""):
            out[name] = err
    for err in exc.errors():
        if err.get("loc"):
            continue
        message = str(err.get("msg", ""))
        field, key = next(((f, k) for needle, f, k in RULES if needle in message), ("kind", "err.rule"))
        if not known:
            out.setdefault(field, (key, {}))
    return out


def _options(c: ContainerDep, request: Request) -> dict[str, Any]:
    locale = locale_of(request)
    stores = [(str(s.id), s.name_zh if locale.startswith("zh") else s.name_en) for s in locations.list_all(c.db, "store")]
    tiers = [(t.code, t.name_zh if locale.startswith("zh") else t.name_en) for t in loyalty.get_rules(c.db).tiers]
    return {"stores": stores, "tiers": tiers, "channels": CHANNELS}


def _form_page(request: Request, c: ContainerDep, kind: str, values: dict[str, Any], *, item: Any = None,
               errors: Errors | None = None, status: int = 200, done: str | None = None,
               issue: dict[str, Any] | None = None) -> HTMLResponse:
    ctx = {"kind": kind, "item": item, "values": values, "errors": errors or {}, "done": done,
           "idem": secrets.token_urlsafe(16),
           "kinds": PROMOTION_KINDS if kind == "promotion" else COUPON_KINDS, "only": ONLY[kind],
           "issue": issue or {"values": {}, "errors": {}, "done": None}, **_options(c, request)}
    return page(request, "backoffice/campaign.html", ctx, [TEXTS], status)


@router.get("/admin/campaigns", response_class=HTMLResponse)
def campaign_list(request: Request, c: ContainerDep) -> HTMLResponse:
    locale = locale_of(request)
    now = c.clock.now()
    return page(request, "backoffice/campaigns.html", {
        "promotions": promotions.promotions(c.db, PageParams(page=1, size=LISTED)),
        "templates": promotions.templates(c.db, PageParams(page=1, size=LISTED)),
        "now": now, "name": (lambda x: x.name_zh if locale.startswith("zh") else x.name_en),
        "label": (lambda x: x.label_zh if locale.startswith("zh") else x.label_en), "fen": yuan}, [TEXTS])


@router.get("/admin/campaigns/new", response_class=HTMLResponse)
def campaign_new(request: Request, c: ContainerDep) -> HTMLResponse:
    kind = request.query_params.get("kind", "coupon")
    kind = kind if kind in WHAT else "coupon"
    return _form_page(request, c, kind, blank(kind, c.clock.now()))


def _save(request: Request, c: ContainerDep, uow: Uow, form: FormData, kind: str, item: Any = None) -> Response:
    shown, data, errors = read(kind, form)
    schema = PromotionIn if kind == "promotion" else TemplateIn
    parsed = None
    try:
        parsed = schema(**data)
    except ValidationError as exc:
        errors = {**_schema_errors(exc, errors), **errors}
    if errors or parsed is None:
        return _form_page(request, c, kind, shown, item=item, errors=errors, status=422)
    try:
        if kind == "promotion":
            out = (promotions.update_promotion(uow, item.id, parsed) if item else promotions.create_promotion(uow, parsed))
        else:
            out = (promotions.update_template(uow, item.id, parsed) if item else promotions.create_template(uow, parsed))
    except InvalidInput as exc:
        bad = {str(e.get("field", "kind")).split(".")[-1]: ("err.invalid", {}) for e in exc.extra.get("errors", [])}
        return _form_page(request, c, kind, shown, item=item, errors=bad or {"kind": ("err.invalid", {})}, status=422)
    return RedirectResponse(f"/admin/campaigns/{kind}/{out.id}?done={'saved' if item else 'created'}", status_code=303)


@router.post("/admin/campaigns")
def campaign_create(request: Request, c: ContainerDep, uow: Uow, form: FormDep) -> Response:
    kind = text(form, "what", 20)
    kind = kind if kind in WHAT else "coupon"
    return _save(request, c, uow, form, kind)


def _item(c: ContainerDep, kind: str, item_id: int) -> Any:
    if kind == "promotion":
        return promotions.promotion(c.db, item_id)
    if kind == "coupon":
        return promotions.template(c.db, item_id)
    raise NotFound("campaign", item_id)


@router.get("/admin/campaigns/{kind}/{item_id}", response_class=HTMLResponse)
def campaign_edit(request: Request, c: ContainerDep, kind: str, item_id: Id) -> HTMLResponse:
    try:
        item = _item(c, kind, item_id)
    except NotFound:
        return not_found(request, "cmp.title", "/admin/campaigns", [TEXTS])
    done = request.query_params.get("done")
    issued = request.query_params.get("issued", "")
    issue = {"values": {}, "errors": {}, "done": None}
    if issued.isascii() and issued.isdigit() and (skipped := request.query_params.get("skipped", "0")).isdigit():
        issue["done"] = {"issued": int(issued[:12]), "skipped": int(skipped[:12])}
    return _form_page(request, c, kind, values_of(kind, item), item=item,
                      done=done if done in ("saved", "created") else None, issue=issue)


@router.post("/admin/campaigns/{kind}/{item_id}")
def campaign_update(request: Request, c: ContainerDep, uow: Uow, form: FormDep, kind: str, item_id: Id) -> Response:
    try:
        item = _item(c, kind, item_id)
    except NotFound:
        return not_found(request, "cmp.title", "/admin/campaigns", [TEXTS])
    return _save(request, c, uow, form, kind, item)


@router.post("/admin/campaigns/coupon/{item_id}/issue")
def campaign_issue(request: Request, c: ContainerDep, uow: Uow, form: FormDep, item_id: Id) -> Response:
    """Issue a coupon to a list of customer numbers or a segment (idempotent per form: its one-time key)."""
    try:
        item = _item(c, "coupon", item_id)
    except NotFound:
        return not_found(request, "cmp.title", "/admin/campaigns", [TEXTS])
    raw, segment = text(form, "customer_ids", 20_000), text(form, "segment", 40)
    shown = {"customer_ids": raw, "segment": segment}
    errors: Errors = {}
    ids: list[int] = []
    if raw and not _IDS.match(raw):
        errors["customer_ids"] = ("err.ids", {})
    elif raw:
        ids = [int(x) for x in re.split(r"[,，\s]+", raw.strip()) if x]
    if not raw and not segment:
        errors["customer_ids"] = ("iss.err.none", {})
    data = None
    if not errors:
        store = segment.removeprefix("store:")
        seg: dict[str, Any] | None = None
        if segment.startswith("tier:"):
            seg = {"tier": segment[5:]}
        elif segment.startswith("store:") and store.isascii() and store.isdigit() and len(store) < 19:
            seg = {"ordered_at": int(store)}
        elif segment:
            errors["segment"] = ("err.choice", {})
        try:
            if not errors:
                data = IssueIn(customer_ids=ids or None, segment=None if ids else seg)
        except ValidationError as exc:
            errors = {("customer_ids" if k.startswith("customer_ids") else "segment"): v
                      for k, v in field_errors(exc).items()}
    if errors or data is None:
        return _form_page(request, c, "coupon", values_of("coupon", item), item=item, status=422,
                          issue={"values": shown, "errors": errors, "done": None})
    key = text(form, "idem", 64) or None
    try:
        out = promotions.issue(uow, item.id, data, key=f"page:{key}" if key else None)
    except Problem as exc:
        why = {"coupons-sold-out": "iss.err.sold_out", "budget-exhausted": "iss.err.budget",
               "coupon-not-redeemable": "iss.err.ended", "claim-limit": "iss.err.again"}.get(exc.kind, "err.invalid")
        return _form_page(request, c, "coupon", values_of("coupon", item), item=item, status=409,
                          issue={"values": shown, "errors": {"customer_ids": (why, {})}, "done": None})
    return RedirectResponse(f"/admin/campaigns/coupon/{item.id}?issued={out.issued}&skipped={len(out.skipped)}#issue",
                            status_code=303)


@router.get("/admin/campaigns/{kind}/{item_id}/results", response_class=HTMLResponse)
def campaign_results(request: Request, c: ContainerDep, kind: str, item_id: Id) -> HTMLResponse:
    try:
        item = _item(c, kind, item_id)
    except NotFound:
        return not_found(request, "cmp.title", "/admin/campaigns", [TEXTS])
    locale = locale_of(request)
    res = (promotions.promotion_results(c.db, item.id) if kind == "promotion"
           else promotions.template_results(c.db, item.id))
    counts = charts.shares([("issued", res.issued or 0), ("redeemed", res.redeemed), ("orders", res.orders)]
                           if res.issued is not None else [("redeemed", res.redeemed), ("orders", res.orders)])
    money = charts.shares([("gmv", res.gmv_fen), ("cost", res.cost_fen)]
                          + ([("budget", res.budget_fen)] if res.budget_fen else []))
    rate = round(res.redeemed * 100 / res.issued) if res.issued else None
    budget_pct = round(res.spent_fen * 100 / res.budget_fen) if res.budget_fen else None
    return page(request, "backoffice/campaign_results.html", {
        "kind": kind, "item": item, "r": res, "counts": counts, "money": money, "rate": rate,
        "budget_pct": budget_pct, "name": item.name_zh if locale.startswith("zh") else item.name_en}, [TEXTS])
