"""The words services write in English into rows, in the page's language (o2o.web.vocabulary): every known
part translated, names, numbers, paths and people's own words kept as written."""

from __future__ import annotations

import pytest

from o2o.orders.schemas import OrderLineOut
from o2o.web import vocabulary as v

pytestmark = pytest.mark.unit


def test_routing_reasons():
    reason = "chosen store lacks stock; nearest store within 5000 m with every line (2600 m)"
    assert v.route_reason(reason, "zh-CN") == "所选门店库存不足；5000 米配送范围内有全部商品的最近门店（距离 2600 米）"
    assert v.route_reason(reason, "en") == ("the chosen store is short of stock; nearest store within 5000 m that "
                                            "has every item (2600 m away)")
    assert v.route_reason("no store within its radius has every line; warehouse 嘉定仓 ships by parcel", "en") == \
        "no store within reach has every item; a warehouse ships it by parcel"  # the name is on the page
    assert v.route_reason("moved from location 1 to 2 by head office: 冰柜坏了", "zh-CN") == "总部将订单从门店 1 转到 2: 冰柜坏了"
    assert v.route_reason("something new", "zh-CN") == "something new"  # unknown: as written
    assert v.route_reason(None, "en") == ""


@pytest.mark.parametrize("raw,en,zh", [
    ("h5", "web shop", "网页商城"), ("router", "order router", "订单分配"), ("system", "system", "系统"),
    ("payment:sandbox", "payment (sandbox)", "支付（沙箱）"), ("payment:wechat", "payment (WeChat Pay)", "支付（微信支付）"),
    ("staff:zhang.wei", "staff zhang.wei", "员工 zhang.wei"), ("customer:12", "customer #12", "顾客 #12"),
    ("customer:12 verified phone", "customer #12", "顾客 #12"), ("pos:T01", "till T01", "收银台 T01"),
    ("api_key:erp", "API key erp", "API 密钥 erp"), ("someone", "someone", "someone"), ("", "", "")])
def test_actors(raw, en, zh):
    assert (v.actor(raw, "en"), v.actor(raw, "zh-CN")) == (en, zh)


def test_history_notes_and_a_person_s_words():
    assert v.history_note("partial accepted: sku 3 -1, sku 5 -2; refund 1290 fen", "zh-CN") == \
        "顾客接受已找到的商品（移除：SKU 3 −1, SKU 5 −2）；退款 ¥12.90"
    assert v.history_note("hold released", "en") == "hold released" and v.history_note("unpaid", "zh-CN") == "超时未支付"
    assert v.history_note("顾客来电改约", "en") == "顾客来电改约"
    assert v.history_note("SO2026P01", "zh-CN") == "SO2026P01"  # a payment's number


def test_audit_actions_and_roles():
    assert v.audit_action("pii.read", "zh-CN") == "查看个人信息" and v.audit_action("staff.sign_in", "en") == "signed in"
    assert v.audit_action("PATCH /api/v1/locations/{location_id}", "zh-CN") == "修改"
    assert v.audit_action("reports.export", "zh-CN") == "reports.export"
    assert v.role_name("store_manager", "zh-CN") == "店长" and v.role_name("nobody", "en") == "nobody"
    assert v.role_name(None, "en") == ""


def test_zh_tw_falls_back_to_zh_cn():
    assert v.actor("router", "zh-TW") == "订单分配"


def test_order_line_names_in_the_page_language():
    line = OrderLineOut(sku_id=1, name="牛奶 1L", name_zh="牛奶 1L", name_en="Milk 1L", quantity=1, unit_price_fen=1,
                        line_total_fen=1)
    assert (v.line_name(line, "en"), v.line_name(line, "zh-CN"), v.line_name(line, "zh-TW")) == (
        "Milk 1L", "牛奶 1L", "牛奶 1L")
    assert v.line_name(line.model_dump(), "en") == "Milk 1L"
    old = {"name": "牛奶 1L", "name_zh": None, "name_en": None}  # a gift line, or a row without the catalog's names
    assert v.line_name(old, "en") == "牛奶 1L"
