"""一键通 terminal gateway: `POST /api/v1/emergency/alarms` with the gateway account's Bearer token."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import field_validator

from minzheng.audit.services import client_ip
from minzheng.emergency import access, services
from minzheng.emergency.models import AlarmKind

router = Router(tags=["一键通紧急呼叫"])


class AlarmIn(Schema):
    device: str = Field(..., description="终端编号")
    kind: str = Field(..., description="报警类型：" + "、".join(f"{k.value}={k.label}" for k in AlarmKind))
    raised_at: dt.datetime | None = Field(None, description="终端报警时间（带时区）；缺省为收到时间")
    detail: dict[str, Any] = Field(default_factory=dict, description="终端上报的其他内容")

    # PostgreSQL stores neither NUL nor a lone surrogate in text or jsonb: refuse them here (422), not with a 500.
    @field_validator("device", "kind")
    @classmethod
    def _plain_text(cls, value: str) -> str:
        return _storable(value)

    @field_validator("detail")
    @classmethod
    def _plain_detail(cls, value: dict[str, Any]) -> dict[str, Any]:
        _storable(json.dumps(value, ensure_ascii=False).replace("\\u0000", "\x00"))
        return value


def _storable(text: str) -> str:
    if "\x00" in text:
        raise ValueError("不能含有空字符（\\0）")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("含有无法存储的字符（孤立的代理码位）") from None
    return text


class AlarmOut(Schema):
    alarm_id: int
    incident_id: int
    joined: bool = Field(..., description="并入了该老人处置中的事件")


class Refused(Schema):
    detail: str


@router.post("/emergency/alarms", response={201: AlarmOut, 422: Refused}, summary="终端报警")
def alarm_post(request: HttpRequest, payload: AlarmIn) -> Status:
    device = access.access_device_by_serial(request.user, payload.device)  # 404 outside the jurisdiction
    try:
        alarm = services.alarm_receive(
            actor=request.user,
            kind=payload.kind,
            device=device,
            now=timezone.now(),
            raised_at=payload.raised_at,
            detail=payload.detail,
            client_ip=client_ip(request),
        )
    except services.EmergencyError as exc:
        return Status(422, {"detail": str(exc)})
    joined = alarm.incident.alarms.count() > 1
    return Status(201, {"alarm_id": alarm.pk, "incident_id": alarm.incident_id, "joined": joined})
