"""The providers' daily statements, read into one shape for reconciliation.

WeChat Pay's trade bill (交易账单, bill_type=ALL): UTF-8 CSV, a header line of Chinese column names,
then one line per payment (交易状态 SUCCESS) or refund (REFUND), every field prefixed with a backtick
(so spreadsheets keep long numbers), then the summary header (总交易单数,...) and its one line.

Alipay's account log (账务明细): GBK CSV, `#` lines before (account, period) and after (totals, export
time), a header line, then one line per money movement; fields often end in a tab (again, for
spreadsheets). 业务类型 交易 is a payment (收入金额), 退款 a refund (支出金额); fees and transfers are
not ours to match and are skipped.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from o2o.adapters.payments.common import yuan_to_fen

PAYMENT, REFUND = "payment", "refund"


class StatementError(ValueError):
    """The file is not a statement of the expected shape."""


@dataclass(frozen=True)
class Entry:
    record: str  # payment, refund
    out_trade_no: str
    amount_fen: int
    status: str  # SUCCESS, or the refund's status as the provider writes it
    out_refund_no: str = ""
    provider_id: str = ""  # transaction id / refund id / Alipay business serial
    at: datetime | None = None


@dataclass(frozen=True)
class Statement:
    provider: str
    bill_date: date | None
    entries: list[Entry]


def _clean(field: str) -> str:
    return field.strip().lstrip("`").strip().rstrip("\t").strip()


def _when(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _amount(text: str, where: str) -> int:
    try:
        return yuan_to_fen(text or "0")
    except ValueError as exc:
        raise StatementError(f"{where}: {exc}") from exc


def _decode(data: bytes, encodings: tuple[str, ...]) -> str:
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise StatementError("the file is in none of the expected encodings: " + ", ".join(encodings))


WECHAT_COLUMNS = ("交易时间", "微信订单号", "商户订单号", "交易状态", "应结订单金额", "微信退款单号", "商户退款单号",
                  "退款金额", "退款状态")


def parse_wechatpay(data: bytes) -> Statement:
    rows = list(csv.reader(io.StringIO(_decode(data, ("utf-8-sig", "gbk")))))
    if not rows or not set(WECHAT_COLUMNS) <= {_clean(c) for c in rows[0]}:
        raise StatementError("not a WeChat Pay trade bill: the first line lacks " + "/".join(WECHAT_COLUMNS))
    col = {_clean(c): i for i, c in enumerate(rows[0])}
    entries: list[Entry] = []
    summary = False
    for n, raw in enumerate(rows[1:], start=2):
        if not raw or not any(f.strip() for f in raw):
            continue
        f = [_clean(x) for x in raw]
        if f[0].startswith("总交易单数"):
            summary = True
            continue
        if summary:
            continue  # the totals line
        if len(f) < len(col):
            raise StatementError(f"line {n}: {len(f)} fields, the header has {len(col)}")
        at, status = _when(f[col["交易时间"]]), f[col["交易状态"]]
        if status == "REFUND":
            amount = f[col["退款金额"]]
            if amount in ("", "0", "0.00") and "申请退款金额" in col:
                amount = f[col["申请退款金额"]]
            entries.append(Entry(REFUND, f[col["商户订单号"]], _amount(amount, f"line {n}"), f[col["退款状态"]] or "SUCCESS",
                                 f[col["商户退款单号"]], f[col["微信退款单号"]], at))
        else:
            amount = f[col["订单金额"]] if "订单金额" in col and f[col["订单金额"]] else f[col["应结订单金额"]]
            entries.append(Entry(PAYMENT, f[col["商户订单号"]], _amount(amount, f"line {n}"), status,
                                 provider_id=f[col["微信订单号"]], at=at))
    if not summary:
        raise StatementError("the trade bill has no summary (总交易单数): cut short?")
    days = sorted({e.at.date() for e in entries if e.at})
    return Statement("wechatpay", days[0] if days else None, entries)


ALIPAY_COLUMNS = ("业务流水号", "商户订单号", "发生时间", "收入金额（+元）", "支出金额（-元）", "业务类型")
_PERIOD = re.compile(r"起始日期：\[(\d{4})年(\d{2})月(\d{2})日")


def parse_alipay(data: bytes) -> Statement:
    text = _decode(data, ("gbk", "gb18030", "utf-8-sig"))
    bill_date: date | None = None
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            if m := _PERIOD.search(line):
                bill_date = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            continue
        body.append(line)
    rows = [r for r in csv.reader(io.StringIO("\n".join(body))) if r and any(x.strip() for x in r)]
    if not rows or not set(ALIPAY_COLUMNS) <= {_clean(c) for c in rows[0]}:
        raise StatementError("not an Alipay account log (账务明细): the header lacks " + "/".join(ALIPAY_COLUMNS))
    col = {_clean(c): i for i, c in enumerate(rows[0])}
    entries: list[Entry] = []
    for n, raw in enumerate(rows[1:], start=2):
        f = [_clean(x) for x in raw]
        if len(f) < len(col):
            raise StatementError(f"row {n}: {len(f)} fields, the header has {len(col)}")
        kind, trade_no = f[col["业务类型"]], f[col["商户订单号"]]
        if not trade_no or kind not in ("交易", "退款", "交易退款"):
            continue  # fees, transfers, withdrawals: not payments of ours
        at = _when(f[col["发生时间"]])
        if kind == "交易":
            entries.append(Entry(PAYMENT, trade_no, _amount(f[col["收入金额（+元）"]], f"row {n}"), "SUCCESS",
                                 provider_id=f[col["业务流水号"]], at=at))
        else:
            out = f[col["支出金额（-元）"]].lstrip("-")
            entries.append(Entry(REFUND, trade_no, _amount(out, f"row {n}"), "SUCCESS",
                                 provider_id=f[col["业务流水号"]], at=at))
    return Statement("alipay", bill_date, entries)


PARSERS = {"wechatpay": parse_wechatpay, "alipay": parse_alipay}


def parse(provider: str, data: bytes) -> Statement:
    try:
        parser = PARSERS[provider]
    except KeyError:
        raise StatementError(f"no statement format for {provider!r}; one of {', '.join(PARSERS)}") from None
    try:
        return parser(data)
    except csv.Error as exc:  # a stray carriage return or NUL in a field: a bad file, like any other
        raise StatementError(f"not a readable CSV file: {exc}") from None
