"""Early warning (预警叫应): issue a warning to its villages' contacts, record each call and its answer.

A warning creates one call row per active contact of every village in its area; a call is recorded
by the village (or the town for it) as answered or not. Calls not answered within the warning's
minutes are on the village's and the town's 待办 (items.py) until someone answers.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import covers, prefix_q
from minzheng.core.masking import mask_name, mask_phone
from minzheng.disaster.models import Call, Contact, Event, Warning
from minzheng.disaster.services import DisasterError, check_area


def _user(actor: Actor) -> Actor | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def contact_add(village: str, *, name: str, phone: str, role: str, actor: Actor, client_ip: str = "") -> Contact:
    if len(village) != 12 or not covers(str(getattr(actor, "jurisdiction", "")), village):
        raise DisasterError(f"村（社区）：{village} 不是您管辖的村级区划")
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not name.strip() or len(digits) < 7:
        raise DisasterError("姓名和联系电话：请填写完整（电话至少 7 位数字）")
    with transaction.atomic():
        contact = Contact.objects.create(
            division_code=village, name=name.strip()[:40], phone=digits[:20], role=role.strip()[:20] or "灾害信息员"
        )
        audit_record(
            actor=actor, action="create", object_type="disaster_warning", object_id=f"contact:{contact.pk}",
            summary=f"登记预警联系人 {mask_name(contact.name)} {mask_phone(contact.phone)}（{village}）",
            client_ip=client_ip,
        )  # fmt: skip
    return contact


def warning_issue(
    *, title: str, level: str, areas: list[str], minutes: int, event: Event | None, actor: Actor, client_ip: str = ""
) -> Warning:
    if level not in Warning.Level.values:
        raise DisasterError("预警等级：应为蓝色、黄色、橙色或红色")
    if not title.strip():
        raise DisasterError("预警内容：请填写")
    if not 5 <= minutes <= 24 * 60:
        raise DisasterError("叫应时限：应在 5 至 1440 分钟之间")
    codes = check_area(actor, areas, "预警区域")
    with transaction.atomic():
        warning = Warning.objects.create(
            event=event, title=title.strip()[:120], level=level, areas=codes, call_within_minutes=minutes,
            division_code=str(getattr(actor, "jurisdiction", ""))[:6], issued_by=_user(actor),
        )  # fmt: skip
        contacts = Contact.objects.none()
        for code in codes:
            contacts = contacts | Contact.objects.filter(prefix_q("division_code", code), active=True)
        Call.objects.bulk_create(
            Call(warning=warning, contact=c, division_code=c.division_code) for c in contacts.distinct().order_by("pk")
        )
        audit_record(
            actor=actor, action="create", object_type="disaster_warning", object_id=warning.pk,
            summary=f"发布{warning.get_level_display()}预警「{warning.title}」，须叫应 {warning.calls.count()} 人",
            client_ip=client_ip, data={"areas": codes},
        )  # fmt: skip
    return warning


def call_record(call: Call, *, answered: bool, note: str = "", actor: Actor, client_ip: str = "") -> Call:
    """One attempt: answered closes the call (and its 待办); not answered counts an attempt."""
    if not covers(str(getattr(actor, "jurisdiction", "")), call.division_code):
        raise DisasterError("只能为本辖区的联系人登记叫应")
    if call.answered_at is not None:
        raise DisasterError(f"{mask_name(call.contact.name)} 已于 {timezone.localtime(call.answered_at):%H:%M} 接通")
    now = timezone.now()
    with transaction.atomic():
        Call.objects.filter(pk=call.pk).update(
            attempts=call.attempts + 1, called_at=now, answered_at=now if answered else None,
            called_by=_user(actor), note=note.strip()[:200],
        )  # fmt: skip
        audit_record(
            actor=actor, action="update", object_type="disaster_warning", object_id=call.warning_id,
            summary=f"叫应 {mask_name(call.contact.name)}（{call.contact.role}）：{'已接通' if answered else '未接通'}",
            client_ip=client_ip,
        )  # fmt: skip
    call.refresh_from_db()
    if answered:
        from minzheng.disaster.items import call_item_close

        call_item_close(call)
    return call
