"""GET/POST /admin/payments/reconcile (payments:reconcile): upload a payment provider's daily statement
(WeChat Pay trade bill, Alipay 账务明细), see every difference against our payments and refunds, and
the earlier imports."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from o2o.backoffice.common import FormDep, page, router
from o2o.deps import ContainerDep, PrincipalDep, Uow
from o2o.kernel.catalogs import catalog_texts
from o2o.kernel.errors import InvalidInput, NotFound
from o2o.payments import service as reconciliation
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("backoffice.reconcile")


def _render(request: Request, c: ContainerDep, statement_id: int | None = None, error: str = "",
            form: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    shown = None
    if statement_id is not None:
        try:
            shown = reconciliation.get(c.db, statement_id)
        except NotFound:
            shown = None
    ctx = {"providers": reconciliation.PROVIDERS, "shown": shown, "history": reconciliation.recent(c.db),
           "error": error, "form": form or {}}
    return page(request, "backoffice/reconcile.html", ctx, [TEXTS], status)


@router.get("/admin/payments/reconcile", response_class=HTMLResponse)
def reconcile_page(request: Request, c: ContainerDep) -> HTMLResponse:
    raw = request.query_params.get("statement") or ""
    # isascii: str.isdigit() also takes "²", which int() refuses
    return _render(request, c, int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 18 else None)


@router.post("/admin/payments/reconcile", response_class=HTMLResponse)
def reconcile_upload(request: Request, c: ContainerDep, uow: Uow, p: PrincipalDep, form: FormDep) -> Response:
    provider = str(form.get("provider") or "")[:20]
    raw_day = str(form.get("date") or "").strip()[:10]
    kept = {"provider": provider, "date": raw_day}
    upload = form.get("file")
    data = upload.file.read(reconciliation.MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    name = (upload.filename or "statement.csv") if isinstance(upload, UploadFile) else ""
    day: date | None = None
    try:
        if raw_day:
            try:
                day = datetime.strptime(raw_day, "%Y-%m-%d").date()
            except ValueError:
                raise InvalidInput("date", "a day as YYYY-MM-DD") from None
        if not data:
            raise InvalidInput("file", "choose the statement file")
        out = reconciliation.reconcile(uow, provider, data, name, p.actor, day)
    except InvalidInput as exc:
        return _render(request, c, error=exc.detail or "", form=kept, status=422)
    return _render(request, c, out.id)
