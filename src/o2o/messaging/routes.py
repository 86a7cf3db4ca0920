"""SMS delivery receipts (pushed by the providers) and a customer's WeChat subscription consents."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Body, Path

from o2o.deps import ContainerDep, PrincipalDep
from o2o.kernel.errors import Forbidden, Unauthorized
from o2o.messaging import service
from o2o.messaging.schemas import MAX_RECEIPTS, AliyunReceipt, SubscriptionIn, SubscriptionOut, TencentReceipt

router = APIRouter(prefix="/api/v1", tags=["messages"])

Token = Annotated[str, Path(max_length=200)]


def _check(c: ContainerDep, token: str) -> None:
    """Neither provider signs its receipt push: the URL we give them carries a shared secret
    (O2O_SMS_RECEIPT_TOKEN); without one configured, receipts are refused."""
    want = c.settings.sms_receipt_token
    if not want or not hmac.compare_digest(want.encode(), token.encode()):
        raise Unauthorized("unknown receipt token")


@router.post("/messages/sms/receipts/aliyun/{token}")
def aliyun_receipts(c: ContainerDep, token: Token,
                    items: Annotated[list[AliyunReceipt], Body(max_length=MAX_RECEIPTS)]) -> dict:
    """Aliyun's SmsReport push (HTTP batch mode); answered as Aliyun expects (`code` 0)."""
    _check(c, token)
    service.record_receipts(c.uow(), "aliyun", items)
    return {"code": 0, "msg": "成功"}


@router.post("/messages/sms/receipts/tencent/{token}")
def tencent_receipts(c: ContainerDep, token: Token,
                     items: Annotated[list[TencentReceipt], Body(max_length=MAX_RECEIPTS)]) -> dict:
    """Tencent Cloud SMS's delivery status callback; answered as Tencent expects (`result` 0)."""
    _check(c, token)
    service.record_receipts(c.uow(), "tencent", items)
    return {"result": 0, "errmsg": "OK"}


@router.post("/me/wechat/subscriptions", status_code=201)
def wechat_subscriptions(c: ContainerDep, p: PrincipalDep, data: SubscriptionIn) -> SubscriptionOut:
    """Record the customer's answer to `wx.requestSubscribeMessage`: each accepted template (of those
    we send, O2O_WECHAT_TEMPLATES) allows us one order-status message."""
    if not p.is_customer:
        raise Forbidden("customers only")
    return service.subscribe(c.uow(), p.id, data, c.settings.wechat_templates.values())
