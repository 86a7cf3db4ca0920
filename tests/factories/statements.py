"""Providers' daily statements, generated in their real shapes (for reconciliation tests)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    kind: str  # payment, refund
    out_trade_no: str
    amount_fen: int
    out_refund_no: str = ""
    status: str = "SUCCESS"
    at: str = "2026-11-24 10:05:00"


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


WECHAT_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
                 "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
                 "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")


def wechat_bill(lines: list[Line]) -> bytes:
    """WeChat Pay's trade bill (bill_type=ALL): backtick-prefixed fields, a summary header and line."""
    out = [WECHAT_HEADER]
    paid = refunded = 0
    for i, ln in enumerate(lines):
        txn = f"42000{i:023d}"
        if ln.kind == "payment":
            paid += ln.amount_fen
            f = [ln.at, "wxd678efh567hg6787", "1900000109", "0", "", txn, ln.out_trade_no, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                 "NATIVE", ln.status, "OTHERS", "CNY", _yuan(ln.amount_fen), "0.00", "0", "0", "0.00", "0.00", "", "",
                 "订单", "", _yuan(ln.amount_fen * 6 // 1000), "0.60%", _yuan(ln.amount_fen), "0.00", ""]
        else:
            refunded += ln.amount_fen
            f = [ln.at, "wxd678efh567hg6787", "1900000109", "0", "", txn, ln.out_trade_no, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                 "NATIVE", "REFUND", "OTHERS", "CNY", "0.00", "0.00", f"50300{i:015d}", ln.out_refund_no,
                 _yuan(ln.amount_fen), "0.00", "ORIGINAL", ln.status, "订单", "", "-0.01", "0.60%", "0.00",
                 _yuan(ln.amount_fen), ""]
        out.append(",".join("`" + x for x in f))
    out.append("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额")
    out.append(",".join("`" + x for x in [str(len(lines)), _yuan(paid), _yuan(refunded), "0.00", "0.00", _yuan(paid),
                                          _yuan(refunded)]))
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


def alipay_account_log(lines: list[Line], day: str = "2026年11月24日") -> bytes:
    """Alipay's 账务明细 CSV: GBK, `#` header and footer lines, tab-suffixed fields, a fee line."""
    out = ["#支付宝账务明细查询", "#账号：[20881021778468800156]",
           f"#起始日期：[{day} 00:00:00]   终止日期：[{day} 23:59:59]",
           "#-----------------------------------------账务明细列表----------------------------------------",
           "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,"
           "交易渠道,业务类型,备注"]
    balance = 100_00
    for i, ln in enumerate(lines):
        serial, biz = f"2026112411000{i:07d}\t", f"2026112422001{i:015d}\t"
        if ln.kind == "payment":
            balance += ln.amount_fen
            out.append(",".join([serial, biz, ln.out_trade_no + "\t", "订单 order", ln.at, "buyer***@163.com",
                                 _yuan(ln.amount_fen), "", _yuan(balance), "支付宝", "交易", ""]))
        else:
            balance -= ln.amount_fen
            out.append(",".join([serial, biz, ln.out_trade_no + "\t", "订单 order", ln.at, "buyer***@163.com", "",
                                 "-" + _yuan(ln.amount_fen), _yuan(balance), "支付宝", "退款", f"退款 {ln.out_refund_no}"]))
    out.append(",".join(["20261124110009999999\t", "\t", "\t", "服务费", "2026-11-24 23:00:00", "alipay", "",
                         "-0.15", _yuan(balance - 15), "支付宝", "收费", ""]))
    out += ["#-----------------------------------------账务明细列表结束------------------------------------",
            "#收入合计：1笔，共25.80元", "#支出合计：1笔，共25.80元", "#导出时间：[2026年11月25日 09:00:00]"]
    return ("\r\n".join(out) + "\r\n").encode("gbk")
