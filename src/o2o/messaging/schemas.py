"""Bodies of the providers' delivery-receipt pushes and of a customer's WeChat subscription result."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from o2o.kernel.inputs import Input

MAX_RECEIPTS = 1000  # receipts in one push (Aliyun pushes batches, Tencent up to a few hundred)


class AliyunReceipt(Input):
    """One item of Aliyun's SmsReport HTTP push (a JSON array)."""

    model_config = ConfigDict(extra="ignore")
    biz_id: Annotated[str, Field(max_length=100)]
    success: bool
    err_code: Annotated[str, Field(max_length=60)] = ""
    err_msg: Annotated[str, Field(max_length=120)] = ""
    report_time: Annotated[str, Field(max_length=30)] = ""  # "2026-11-24 10:00:05", Beijing time


class TencentReceipt(Input):
    """One item of Tencent Cloud SMS's delivery status callback (a JSON array)."""

    model_config = ConfigDict(extra="ignore")
    sid: Annotated[str, Field(max_length=100)]
    report_status: Annotated[str, Field(max_length=20)]  # SUCCESS | FAIL
    errmsg: Annotated[str, Field(max_length=60)] = ""
    description: Annotated[str, Field(max_length=120)] = ""
    user_receive_time: Annotated[str, Field(max_length=30)] = ""


class SubscriptionIn(Input):
    """What `wx.requestSubscribeMessage` answered in the mini-program: template id -> the customer's
    choice. `openid`: the customer's openid in the mini-program (from wx.login via our back end)."""

    openid: Annotated[str, Field(min_length=6, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    results: Annotated[dict[Annotated[str, Field(max_length=64)], Literal["accept", "reject", "ban", "filter"]],
                       Field(max_length=20)]


class SubscriptionOut(Input):
    accepted: list[str]  # the templates now consented to (one message each)
    open: dict[str, int]  # template id -> consents not used yet
