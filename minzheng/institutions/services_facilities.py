"""Writes about community facilities (幸福院, 日间照料中心, 居家养老服务站, 助餐点): one audit row each."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import covers
from minzheng.divisions.models import Division
from minzheng.institutions.models import Facility


class FacilityError(ValueError):
    """Refused with a Chinese reason naming the field."""


def facility_save(
    fields: dict[str, Any], *, actor: Actor, instance: Facility | None = None, client_ip: str = ""
) -> Facility:
    """Create or update a facility inside the actor's jurisdiction; located by lat/lng (WGS-84)."""
    code = str(fields.get("division_code") or "")
    if not Division.objects.filter(code=code).exists():
        raise FacilityError(f"所在村（社区）区划代码 {code} 不存在")
    if actor is not None and not covers(actor.jurisdiction, code):
        raise FacilityError(f"所在村（社区）{code} 不在您的管辖范围内")
    if not -90 <= float(fields["lat"]) <= 90 or not -180 <= float(fields["lng"]) <= 180:
        raise FacilityError("经纬度超出范围")
    with transaction.atomic():
        if instance is None:
            facility = Facility.objects.create(
                created_by=actor if getattr(actor, "is_authenticated", False) else None, **fields
            )
        else:
            facility = instance
            for key, value in fields.items():
                setattr(facility, key, value)
            facility.save()
        audit_record(
            actor=actor,
            action="create" if instance is None else "update",
            object_type="institution_facility",
            object_id=facility.pk,
            summary=f"{'登记' if instance is None else '更新'}养老服务设施：{facility.name}"
            f"（{facility.get_kind_display()}）",
            client_ip=client_ip,
        )
    return facility
