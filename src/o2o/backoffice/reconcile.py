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
from o2o.kernel.errors import InvalidInput, NotFound
from o2o.payments import service as reconciliation
from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "rec.title": "Payment reconciliation",
        "rec.lead": "Upload a provider's daily statement as downloaded: WeChat Pay's trade bill (CSV) or Alipay's "
                    "account log (账务明细, CSV). Every line is matched against our payments and refunds of that day.",
        "rec.provider": "Provider",
        "rec.wechatpay": "WeChat Pay",
        "rec.alipay": "Alipay",
        "rec.date": "Day (optional)",
        "rec.date.hint": "Default: the statement's own day",
        "rec.file": "Statement file",
        "rec.submit": "Import and compare",
        "rec.err": "The statement could not be imported.",
        "rec.result": "{provider}, {day}: {rows} statement lines, {n} differences",
        "rec.match": "Everything matches.",
        "rec.history": "Earlier imports",
        "rec.none": "No statement imported yet.",
        "rec.col.kind": "Difference",
        "rec.col.record": "Record",
        "rec.col.trade": "Trade (out_trade_no)",
        "rec.col.refund": "Refund no.",
        "rec.col.ours": "Ours",
        "rec.col.theirs": "Theirs",
        "rec.col.our_status": "Our status",
        "rec.col.their_status": "Their status",
        "rec.col.when": "Imported",
        "rec.col.by": "By",
        "rec.col.day": "Day",
        "rec.col.file": "File",
        "rec.col.diffs": "Differences",
        "rec.kind.missing_ours": "missing on our side",
        "rec.kind.missing_theirs": "missing at the provider",
        "rec.kind.amount_mismatch": "amount differs",
        "rec.kind.status_mismatch": "status differs",
        "rec.record.payment": "payment",
        "rec.record.refund": "refund",
    },
    "zh-CN": {
        "rec.title": "支付对账",
        "rec.lead": "上传支付平台下载的日账单：微信支付交易账单（CSV）或支付宝账务明细（CSV）。每一行都与我方当天的支付和退款记录核对。",
        "rec.provider": "支付平台",
        "rec.wechatpay": "微信支付",
        "rec.alipay": "支付宝",
        "rec.date": "账单日期（可选）",
        "rec.date.hint": "默认取账单本身的日期",
        "rec.file": "账单文件",
        "rec.submit": "导入并核对",
        "rec.err": "账单无法导入。",
        "rec.result": "{provider}，{day}：账单 {rows} 行，差异 {n} 条",
        "rec.match": "全部一致。",
        "rec.history": "以往导入",
        "rec.none": "还没有导入过账单。",
        "rec.col.kind": "差异",
        "rec.col.record": "类型",
        "rec.col.trade": "商户订单号",
        "rec.col.refund": "退款单号",
        "rec.col.ours": "我方",
        "rec.col.theirs": "平台",
        "rec.col.our_status": "我方状态",
        "rec.col.their_status": "平台状态",
        "rec.col.when": "导入时间",
        "rec.col.by": "操作人",
        "rec.col.day": "账单日期",
        "rec.col.file": "文件",
        "rec.col.diffs": "差异数",
        "rec.kind.missing_ours": "我方缺少",
        "rec.kind.missing_theirs": "平台缺少",
        "rec.kind.amount_mismatch": "金额不符",
        "rec.kind.status_mismatch": "状态不符",
        "rec.record.payment": "支付",
        "rec.record.refund": "退款",
    },
}


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
