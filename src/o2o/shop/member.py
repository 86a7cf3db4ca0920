"""The member centre: tier and progress to the next one, points and their history, points expiring soon,
the store credit balance (from refunds, spent at a till with the member code), the points mall (redeem for a
voucher), and the way to the member code page."""

from __future__ import annotations

import re
import secrets
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import IntegrityError

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.deps import ContainerDep, PrincipalDep
from o2o.kernel.errors import NotFound, Problem
from o2o.kernel.ids import Id
from o2o.kernel.money import format_cny
from o2o.kernel.pagination import PageParams
from o2o.loyalty import service as loyalty
from o2o.returns import service as returns
from o2o.shop import texts
from o2o.shop.common import chosen_store, distance_text, here, name_in, see_other
from o2o.shop.credit_texts import TEXTS as CREDIT_TEXTS
from o2o.shop.member_texts import TEXTS as MEMBER_TEXTS
from o2o.shop.web import router
from o2o.web.templating import locale_of, render

HISTORY_ROWS = 20
IDEM = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # the redeem form's one-time key


def _page(request: Request, c: ContainerDep, p: PrincipalDep, notice: dict | None = None,
          error: str | None = None, status: int = 200) -> HTMLResponse:
    locale = locale_of(request)
    now = c.clock.now()
    summary = loyalty.summary(c.db, p.id, now, locale)
    history = loyalty.history(c.db, p.id, PageParams(page=1, size=HISTORY_ROWS))
    ctx = {"chosen": chosen_store(request, c), "cart_count": sum(ln.quantity for ln in cart.lines(c.db, Owner(customer_id=p.id))), "money": format_cny, "distance": distance_text,
           "name": name_in(locale), "here": here(request), "is_customer": True, "dev": c.settings.dev,
           "m": summary, "entries": history.entries, "rewards": loyalty.rewards(c.db, locale),
           "vouchers": loyalty.redemptions(c.db, p.id, locale), "notice": notice, "error": error,
           "idem": secrets.token_urlsafe(16), "store_credit": returns.store_credit(c.db, p.id)}
    response = render(request, "shop/member.html", ctx, texts=[MEMBER_TEXTS, CREDIT_TEXTS, texts.TEXTS], locale=locale,
                      status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/shop/member", response_class=HTMLResponse)
def member_centre(request: Request, c: ContainerDep, p: PrincipalDep) -> HTMLResponse:
    notice = None
    if (rid := request.query_params.get("redeemed", "")).isdigit():
        found = next((v for v in loyalty.redemptions(c.db, p.id, locale_of(request)) if str(v.id) == rid), None)
        notice = {"name": found.reward_name, "code": found.code} if found else None
    return _page(request, c, p, notice)


@router.post("/shop/member/rewards/{reward_id}/redeem")
def redeem(request: Request, c: ContainerDep, p: PrincipalDep, reward_id: Id,
           idem: Annotated[str, Form(max_length=64)] = "") -> Response:
    """Redeem from the points mall; the voucher is shown on the member centre. The page's form carries a
    one-time key (`idem`): the same form sent twice (a double tap, a re-sent POST) redeems once."""
    key = f"page:{reward_id}:{idem}" if IDEM.match(idem) else None  # one redemption per form
    try:
        try:
            out = loyalty.redeem_reward(c.uow(), p.id, reward_id, key, locale_of(request))
        except IntegrityError:  # its twin, sent at the same moment, committed first: answer that one
            if key is None:
                raise
            out = loyalty.redeem_reward(c.uow(), p.id, reward_id, key, locale_of(request))
    except NotFound:
        return _page(request, c, p, error="member.err.gone", status=404)
    except Problem as exc:
        key = "member.err.points" if exc.kind == "insufficient-points" else "member.err.stock"
        return _page(request, c, p, error=key, status=409)
    return see_other(f"/shop/member?redeemed={out.id}#vouchers")
