"""GET/POST /admin/loyalty (loyalty:manage): the tier rules and points rates, editable, with their effect
previewed on last month's members (how many would be in each tier, how many points last month's spend
would earn) under the current and the proposed rules before saving. A save is audited (old and new).

POST /admin/loyalty/rewards adds a points-mall reward (goods or a local service, with stock) and POST
/admin/loyalty/points adjusts a customer's points with a reason (a debit never below zero): both
audited by their unit of work, each bad field told at the field."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from o2o.backoffice.common import FormDep, page, read_form, router, text, yuan_to_fen
from o2o.deps import ContainerDep, Uow
from o2o.kernel.catalogs import catalog_texts
from o2o.kernel.errors import InvalidInput, NotFound
from o2o.loyalty import service as loyalty
from o2o.loyalty.exceptions import InsufficientPoints
from o2o.loyalty.schemas import AdjustIn, PreviewOut, RewardIn, RulesIn, RulesOut
from o2o.web.templating import Texts, locale_of

TIER_FIELDS = ("min_spend", "min_orders", "points_multiplier_pct", "price_pct")
FLAGS = ("free_store_delivery", "free_home_service", "dedicated_service")
RATES = ("earn_points_per_yuan", "redeem_points_per_yuan", "redeem_cap_pct", "expiry_days",
         "expiring_notice_days", "review_days")

TEXTS: Texts = catalog_texts("backoffice.loyalty")


def _form_of(rules: RulesOut) -> dict[str, Any]:
    form: dict[str, Any] = {}
    for t in rules.tiers:
        form[f"{t.code}.min_spend"] = f"{t.min_spend_fen // 100}.{t.min_spend_fen % 100:02d}"
        for f in ("min_orders", "points_multiplier_pct", "price_pct"):
            form[f"{t.code}.{f}"] = str(getattr(t, f))
        for f in FLAGS:
            form[f"{t.code}.{f}"] = getattr(t, f)
    for r in RATES:
        form[r] = str(getattr(rules.rates, r))
    return form


def _rules_in(form: FormData, codes: list[str], errors: dict[str, str]) -> RulesIn | None:
    def number(key: str) -> int | None:
        raw = str(form.get(key, "")).strip()
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:  # isdigit() takes "²" too
            errors[key] = "err.number"
            return None
        return int(raw)

    tiers = []
    for code in codes:
        spend = yuan_to_fen(str(form.get(f"{code}.min_spend", "")).strip() or "0")
        if spend is None:
            errors[f"{code}.min_spend"] = "err.price"
        tiers.append({"code": code, "min_spend_fen": spend or 0, "min_orders": number(f"{code}.min_orders"),
                      "points_multiplier_pct": number(f"{code}.points_multiplier_pct"),
                      "price_pct": number(f"{code}.price_pct"),
                      **{f: form.get(f"{code}.{f}") == "1" for f in FLAGS}})
    rates = {r: number(r) for r in RATES}
    if errors:
        return None
    try:
        return RulesIn(tiers=tiers, rates=rates)  # type: ignore[arg-type]
    except ValidationError as exc:
        for err in exc.errors():
            loc = [str(x) for x in err["loc"]]
            key = (f"{codes[int(loc[1])]}.{loc[2].removesuffix('_fen')}"
                   if loc[0] == "tiers" and len(loc) > 2 else loc[-1])
            errors[key] = "err.range"
        return None


def _chart(preview: PreviewOut | None) -> list[dict[str, Any]]:
    if preview is None:
        return []
    top = max([1, *(max(r.members_now, r.members_new) for r in preview.tiers)])
    return [{"tier": r.tier, "now": r.members_now, "new": r.members_new, "now_pct": r.members_now * 100 // top,
             "new_pct": r.members_new * 100 // top} for r in preview.tiers]


def _show(request: Request, c: ContainerDep, form: dict[str, Any], preview: PreviewOut | None = None,
          errors: dict[str, str] | None = None, saved: bool = False, status: int = 200,
          detail: str = "", **extra: Any) -> HTMLResponse:
    rules = loyalty.get_rules(c.db)
    ctx = {"rules": rules, "form": form, "preview": preview, "bars": _chart(preview), "errors": errors or {},
           "saved": saved, "rates": RATES, "flags": FLAGS, "detail": detail,
           "rewards": loyalty.rewards(c.db, locale_of(request), active_only=False),
           "rw_form": {"kind": "goods"}, "rw_errors": {}, "adj_form": {}, "adj_errors": {}, "done": None, **extra}
    return page(request, "backoffice/loyalty.html", ctx, [TEXTS], status)


@router.get("/admin/loyalty", response_class=HTMLResponse)
def loyalty_rules(request: Request, c: ContainerDep) -> HTMLResponse:
    rules = loyalty.get_rules(c.db)
    q = request.query_params
    done = None
    if q.get("reward", "").isdigit():
        added = next((r for r in loyalty.rewards(c.db, locale_of(request), False) if str(r.id) == q["reward"]), None)
        done = ("rw.added", {"name": added.name}) if added else None
    elif (q.get("adjusted", "") + q.get("points", "")).isascii() and q.get("adjusted", "").isdigit() \
            and q.get("points", "").lstrip("-").isdigit():
        cid = int(q["adjusted"][:19])
        done = ("adj.done", {"id": cid, "points": q["points"][:20], "balance": loyalty.balance_of(c.db, cid)})
    return _show(request, c, _form_of(rules), saved=q.get("saved") == "1", done=done)


_FIELD_ERRORS = {"missing": "f.err.required", "string_too_short": "f.err.required", "string_too_long": "f.err.long",
                 "int_parsing": "f.err.whole", "int_from_float": "f.err.whole", "greater_than_equal": "f.err.range",
                 "less_than_equal": "f.err.range", "literal_error": "f.err.range"}


def _field_errors(exc: ValidationError) -> dict[str, str]:
    return {str(e["loc"][-1]): _FIELD_ERRORS.get(e["type"], "f.err.range") for e in exc.errors()}


def _whole(raw: str) -> str | None:
    """A signed whole number as typed (no more than 19 digits: bigger is out of range, not a crash)."""
    raw = raw.replace(",", "").replace(" ", "")
    return raw if raw.isascii() and raw.lstrip("+-").isdigit() and len(raw) <= 20 else None  # not "²"


def _why_not_whole(raw: str) -> str:
    if not raw:
        return "f.err.required"
    return "f.err.range" if raw.replace(",", "").lstrip("+-").isdigit() else "f.err.whole"


@router.post("/admin/loyalty/rewards")
def add_reward(request: Request, c: ContainerDep, uow: Uow, form: FormDep) -> Response:
    """A points-mall reward (audited: the unit of work records the reward's id)."""
    shown = {k: text(form, k, 200) for k in ("kind", "name_zh", "name_en", "points_cost", "stock")}
    errors: dict[str, str] = {}
    numbers = {}
    for k in ("points_cost", "stock"):
        numbers[k] = _whole(shown[k])
        if numbers[k] is None:
            errors[k] = _why_not_whole(shown[k])
    try:
        data = RewardIn(kind=shown["kind"], name_zh=shown["name_zh"], name_en=shown["name_en"],  # type: ignore[arg-type]
                        points_cost=numbers["points_cost"] or 1, stock=numbers["stock"] or 0)
    except ValidationError as exc:
        errors = {**_field_errors(exc), **errors}
    if errors:
        return _show(request, c, _form_of(loyalty.get_rules(c.db)), rw_form=shown, rw_errors=errors, status=422)
    out = loyalty.add_reward(uow, data)
    return HTMLResponse(status_code=303, headers={"Location": f"/admin/loyalty?reward={out.id}#rewards"})


@router.post("/admin/loyalty/points")
def adjust_points(request: Request, c: ContainerDep, uow: Uow, form: FormDep) -> Response:
    """An operator's correction of a member's points with a reason (audited; never below zero)."""
    shown = {k: text(form, k, 300) for k in ("customer_id", "points", "note")}
    errors: dict[str, str] = {}
    cid, points = _whole(shown["customer_id"]), _whole(shown["points"])
    if cid is None or int(cid) <= 0 or int(cid) >= 2**63:
        errors["customer_id"] = "adj.err.customer" if cid or shown["customer_id"].isdigit() else \
            _why_not_whole(shown["customer_id"])
    if points is None:
        errors["points"] = _why_not_whole(shown["points"])
    elif int(points) == 0:
        errors["points"] = "f.err.range"
    try:
        data = AdjustIn(points=int(points) if points and "points" not in errors else 1, note=shown["note"])
    except ValidationError as exc:
        errors = {**_field_errors(exc), **errors}
    if not errors:
        try:
            loyalty.adjust(uow, int(cid or 0), data.points, data.note)
        except NotFound:
            errors["customer_id"] = "adj.err.customer"
        except InsufficientPoints:
            errors["points"] = "adj.err.short"
    if errors:
        status = 404 if errors.get("customer_id") == "adj.err.customer" and len(errors) == 1 else \
            409 if errors.get("points") == "adj.err.short" else 422
        return _show(request, c, _form_of(loyalty.get_rules(c.db)), adj_form=shown, adj_errors=errors, status=status)
    return HTMLResponse(status_code=303,
                        headers={"Location": f"/admin/loyalty?adjusted={cid}&points={data.points}#adjust"})


@router.post("/admin/loyalty")
def loyalty_save(request: Request, c: ContainerDep, uow: Uow, form: FormData = Depends(read_form)) -> Response:
    """action=preview shows the effect of the posted rules; action=save saves them (audited)."""
    codes = [t.code for t in loyalty.get_rules(c.db).tiers]
    errors: dict[str, str] = {}
    shown = {k: (v == "1" if k.endswith(FLAGS) else v) for k, v in form.items() if k != "csrf_token"}
    for code in codes:
        for f in FLAGS:
            shown.setdefault(f"{code}.{f}", False)
    data = _rules_in(form, codes, errors)
    if data is None:
        return _show(request, c, shown, errors=errors, status=422)
    try:
        if form.get("action") == "save":
            loyalty.set_rules(uow, data)
            return HTMLResponse(status_code=303, headers={"Location": "/admin/loyalty?saved=1"})
        return _show(request, c, shown, preview=loyalty.preview(c.db, data, c.clock.now()))
    except InvalidInput as exc:
        return _show(request, c, shown, errors={"tiers": "err.invalid"}, status=422, detail=str(exc.detail or ""))
