"""Writes of the visit pages: a visit (with the phone's time and GPS), its photos. Audited."""

from __future__ import annotations

import datetime as dt
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.childvisits import plans
from minzheng.childvisits.models import ChildVisit
from minzheng.core.masking import mask_name
from minzheng.documents.models import Attachment
from minzheng.documents.services import attachment_store

OWNER = "child_visit"
CLOCK_SKEW = dt.timedelta(minutes=10)  # a phone a little fast is fine; a visit in the future is not
MAX_LAG_DAYS = 30  # an offline visit uploaded later keeps its own date, within a month


class VisitError(ValueError):
    """Refused with a Chinese reason."""


def _visited_on(client_at: dt.datetime | None) -> dt.date:
    now = timezone.now()
    if client_at is None:
        return timezone.localdate()
    if client_at > now + CLOCK_SKEW:
        raise VisitError("手机时间晚于服务器时间，请核对手机时间后重新提交")
    if (now - client_at).days > MAX_LAG_DAYS:
        raise VisitError(f"走访记录超过 {MAX_LAG_DAYS} 天未上传，请补录并说明")
    return timezone.localdate(client_at)


def _categories(child: Any) -> list[str]:
    from minzheng.children.models import ChildCategory

    row = ChildCategory.objects.filter(child=child).first()  # fresh: a visit may just have changed it
    return list(row.categories) if row is not None else []


def visit_record(
    *,
    actor: Actor,
    child: Any,
    observed: str,
    findings: str,
    latitude: float | None = None,
    longitude: float | None = None,
    client_at: dt.datetime | None = None,
    parent_change: str = "",
    parent_situation: tuple[str, str] | None = None,
    client_ip: str = "",
) -> ChildVisit:
    """A visit: stored, a parent's changed situation written to the child file (categories recomputed
    there), the plan's next due date moved on, the overdue 待办 closed."""
    if observed not in ChildVisit.Observed.values:
        raise VisitError("请选择儿童状况")
    if not findings.strip():
        raise VisitError("请填写走访情况")
    visited_on = _visited_on(client_at)
    with transaction.atomic():
        visit = ChildVisit.objects.create(
            child=child, division_code=child.division_code, visited_on=visited_on, client_at=client_at,
            visitor=actor if getattr(actor, "is_authenticated", False) else None, latitude=latitude,
            longitude=longitude, observed=observed, findings=findings.strip(),
            parent_change=parent_change.strip()[:300], categories=_categories(child),
        )  # fmt: skip
        if parent_situation:
            _parent_record(actor, child, parent_situation, visited_on, parent_change, client_ip)
            child.refresh_from_db()
        plans.plan_sync(child, _categories(child), timezone.localdate())
        closed = plans.close_for_child(child.pk, f"{visited_on} 已走访")
        audit_record(
            actor=actor,
            action="create",
            object_type=OWNER,
            object_id=visit.pk,
            summary=f"走访儿童 {mask_name(child.person.name)}（{visit.get_observed_display()}）",
            client_ip=client_ip,
            data={"child": child.pk, "gps": latitude is not None, "closed_items": closed},
        )
    return visit


def _parent_record(actor: Actor, child: Any, change: tuple[str, str], on: dt.date, note: str, ip: str) -> None:
    from minzheng.children.services import ChildFileError, situation_record

    parent, situation = change
    evidence = f"儿童主任 {on} 走访发现" + (f"：{note.strip()}" if note.strip() else "")
    try:
        situation_record(
            child, parent=parent, situation=situation, since=on, source="visit", evidence=evidence, actor=actor,
            client_ip=ip,
        )  # fmt: skip
    except ChildFileError as exc:
        raise VisitError(str(exc)) from None


def visit_photo_add(
    *, actor: Actor, visit: ChildVisit, upload: BinaryIO, filename: str, client_ip: str = ""
) -> Attachment:
    """A photo of the visit, stored by content and kept for ever (一人一档、永久保存)."""
    return attachment_store(
        upload, filename=filename, owner_type=OWNER, owner_id=visit.pk, kind="visit_photo", actor=actor,
        retain_days=None, client_ip=client_ip,
    )  # fmt: skip


def visit_photos(visit: ChildVisit) -> list[Attachment]:
    return list(Attachment.objects.filter(owner_type=OWNER, owner_id=str(visit.pk)).order_by("pk"))


def child_view(*, actor: Actor, child: Any, client_ip: str = "") -> None:
    """Reading a child's visit page is a read of a child's personal data."""
    audit_record(
        actor=actor, action="view", object_type="child_visit_plan", object_id=child.pk,
        summary=f"查看儿童 {mask_name(child.person.name)} 的走访记录", client_ip=client_ip,
    )  # fmt: skip
