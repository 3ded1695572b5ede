"""居家养老: every write (one transaction, keyword-only actor=, one audit row).

Elders, assessments, the catalogue, providers and caregivers, statements and flags live here;
the order lifecycle is in `orders.py` (same rules).
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.eldercare import approvals  # noqa: F401 - binds Statement to its approval machine
from minzheng.eldercare.assessment import assess, standard
from minzheng.eldercare.legacy import mzt039_level
from minzheng.eldercare.models import (
    Assessment,
    Caregiver,
    Elder,
    FraudFlag,
    Order,
    OrderStatus,
    Provider,
    ServiceCategory,
    ServiceItem,
    Statement,
)
from minzheng.registry.models import Person
from minzheng.workflow import services as workflow
from minzheng.workflow.services import TransitionRefused

CATALOGUE = Path(__file__).with_name("data") / "catalogue.yaml"
PARAMS = Path(__file__).with_name("data") / "params.yaml"


class EldercareError(ValueError):
    """A refused write; the message is Chinese and names the object and the reason."""


def _audit(actor: Actor | None, action: str, object_type: str, object_id: Any, summary: str, **kw: Any) -> None:
    audit_record(actor=actor, action=action, object_type=object_type, object_id=object_id, summary=summary, **kw)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later (the 31st becomes the month's last day)."""
    year, month = divmod(day.month - 1 + months, 12)
    first = dt.date(day.year + year, month + 1, 1)
    last = ((first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)).day
    return first.replace(day=min(day.day, last))


# ------------------------------------------------------------------ elders


@transaction.atomic
def elder_enrol(
    *,
    actor: Actor | None,
    person: Person,
    status: str,
    phone: str = "",
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    emergency_contacts: list[dict[str, str]] | None = None,
    client_ip: str = "",
) -> Elder:
    if Elder.objects.filter(person=person).exists():
        raise EldercareError(f"{person.name} 已是居家养老服务对象")
    elder = Elder.objects.create(
        person=person,
        status=status,
        division_code=person.division_code,
        phone=phone or person.phone,
        address=address,
        lat=lat,
        lng=lng,
        emergency_contacts=emergency_contacts or [],
        family_token=secrets.token_urlsafe(32),
        family_token_expires_at=family_link_expiry(),
    )
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        "eldercare_elder",
        elder.pk,
        f"登记居家养老服务对象 {person.name}",
        client_ip=client_ip,
    )
    return elder


@transaction.atomic
def elder_update(*, actor: Actor, elder: Elder, client_ip: str = "", **fields: Any) -> Elder:
    """Status, phone, address, location, emergency contacts (only these)."""
    allowed = {"status", "phone", "address", "lat", "lng", "emergency_contacts", "active"}
    unknown = set(fields) - allowed
    if unknown:
        raise EldercareError("不能修改：" + "、".join(sorted(unknown)))
    changed = {k: v for k, v in fields.items() if getattr(elder, k) != v}
    for key, value in changed.items():
        setattr(elder, key, value)
    elder.save()
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        "eldercare_elder",
        elder.pk,
        f"修改服务对象 {elder.person.name}：" + ("、".join(changed) or "无变化"),
        client_ip=client_ip,
    )
    return elder


def family_link_expiry(now: dt.datetime | None = None) -> dt.datetime:
    """When a family link issued now stops working (setting ELDERCARE_FAMILY_LINK_DAYS, default 30)."""
    days = int(getattr(settings, "ELDERCARE_FAMILY_LINK_DAYS", 30))
    return (now or timezone.now()) + dt.timedelta(days=days)


@transaction.atomic
def family_link_rotate(*, actor: Actor, elder: Elder, client_ip: str = "") -> Elder:
    """A new family link (the old one stops working at once), valid for the configured days."""
    elder.family_token = secrets.token_urlsafe(32)
    elder.family_token_expires_at = family_link_expiry()
    elder.save(update_fields=["family_token", "family_token_expires_at", "updated_at"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        "eldercare_elder",
        elder.pk,
        f"更换 {elder.person.name} 的家属链接（原链接作废），有效期至 "
        f"{timezone.localtime(elder.family_token_expires_at):%Y-%m-%d %H:%M}",
        client_ip=client_ip,
    )
    return elder


@transaction.atomic
def elder_locate(*, actor: Actor, elder: Elder, lat: float, lng: float, basis: str, client_ip: str = "") -> Elder:
    """Set the home coordinates (typed, taken by a phone at the door, or estimated): what dispatch needs."""
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise EldercareError(f"坐标：纬度 {lat}、经度 {lng} 超出范围（纬度 −90～90，经度 −180～180）")
    before = (elder.lat, elder.lng)
    elder.lat, elder.lng = round(lat, 6), round(lng, 6)
    elder.save(update_fields=["lat", "lng", "updated_at"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        "eldercare_elder",
        elder.pk,
        f"登记 {elder.person.name} 住址坐标 {elder.lat}, {elder.lng}（{basis}）",
        client_ip=client_ip,
        data={"before": list(before), "after": [elder.lat, elder.lng], "basis": basis},
    )
    return elder


def elders_list_view(*, actor: Actor, q: str, count: int, due_only: bool, client_ip: str = "") -> None:
    """The elder list shows names, ages and villages of people in care: a read of personal data."""
    what = "应复评名单" if due_only else (f"按姓名“{q}”查找" if q else "服务对象名单")
    _audit(
        actor,
        AuditEvent.Action.VIEW,
        "eldercare_elder",
        "",
        f"查看居家养老{what}（{count} 人）",
        client_ip=client_ip,
        data={"q": q, "count": count, "due": due_only},
    )


def order_view(*, actor: Actor | None, order: Order, via: str, client_ip: str = "") -> None:
    """An order's page (elder, address, times, photos) or one of its photos: a detail read."""
    _audit(
        actor,
        AuditEvent.Action.VIEW,
        "eldercare_order",
        order.pk,
        f"查看订单 {order.pk}（{order.elder.person.name}）" + ("的照片" if via == "photo" else ""),
        client_ip=client_ip,
        data={"via": via},
    )


def statement_view(*, actor: Actor, statement: Statement, client_ip: str = "") -> None:
    """A statement lists every settled visit with the elder's name: a read of personal data."""
    _audit(
        actor,
        AuditEvent.Action.VIEW,
        "eldercare_statement",
        statement.pk,
        f"查看 {statement.provider.name} {statement.month:%Y年%m月} 结算单（{statement.order_count} 单）",
        client_ip=client_ip,
    )


def elder_view(*, actor: Actor | None, elder: Elder, via: str, client_ip: str = "") -> None:
    """A detail read (profile page, hotline pop-up, family page) leaves an audit row."""
    _audit(
        actor,
        AuditEvent.Action.VIEW,
        "eldercare_elder",
        elder.pk,
        f"查看服务对象 {elder.person.name}",
        client_ip=client_ip,
        data={"via": via},
    )


@transaction.atomic
def elder_condition_changed(*, actor: Actor, elder: Elder, note: str, client_ip: str = "") -> Elder:
    """A change of condition makes a re-assessment (即时评估) due today."""
    if not note.strip():
        raise EldercareError("请说明状况变化的情况")
    elder.condition_changed = True
    elder.reassess_due = timezone.localdate()
    elder.save(update_fields=["condition_changed", "reassess_due", "updated_at"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        "eldercare_elder",
        elder.pk,
        f"{elder.person.name} 状况变化，需即时评估",
        reason=note,
        client_ip=client_ip,
    )
    return elder


# ------------------------------------------------------------------ assessments


@transaction.atomic
def assessment_record(
    *,
    actor: Actor,
    elder: Elder,
    items: dict[str, int],
    assessed_on: dt.date,
    assessor_name: str,
    reason: str = Assessment.Reason.FIRST,
    coma: bool = False,
    diagnoses: list[str] | None = None,
    risk_events: dict[str, int] | None = None,
    client_ip: str = "",
) -> Assessment:
    """GB/T 42195-2022 assessment; the elder's level becomes its final level, re-assessment in 12 months."""
    if not assessor_name.strip():
        raise EldercareError("请填写评估员姓名")
    if assessed_on > timezone.localdate():
        raise EldercareError(f"评估日期 {assessed_on} 不能晚于今天")
    result = assess(items, coma=coma, diagnoses=diagnoses or [], risk_events_30d=risk_events or {})
    record = Assessment.objects.create(
        elder=elder,
        reason=reason,
        assessed_on=assessed_on,
        assessor=actor if getattr(actor, "is_authenticated", False) else None,
        assessor_name=assessor_name.strip(),
        items=items,
        coma=coma,
        diagnoses=diagnoses or [],
        risk_events=risk_events or {},
        domains=result.domains,
        total=result.total,
        initial_level=result.initial_level,
        final_level=result.final_level,
        reasons=result.reasons,
    )
    _set_level(elder, result.final_level, assessed_on)
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        "eldercare_assessment",
        record.pk,
        f"{elder.person.name} 能力评估：总分 {result.total}，"
        f"最终等级 {result.final_level}（{standard().level_name(result.final_level)}）",
        client_ip=client_ip,
    )
    return record


def _set_level(elder: Elder, level: int | None, assessed_on: dt.date) -> None:
    elder.ability_level = level
    elder.level_assessed_on = assessed_on
    elder.reassess_due = add_months(assessed_on, standard().reassess_months)
    elder.condition_changed = False
    elder.save(update_fields=["ability_level", "level_assessed_on", "reassess_due", "condition_changed", "updated_at"])


@transaction.atomic
def legacy_assessment_record(
    *, actor: Actor, elder: Elder, grades: tuple[int, int, int, int], assessed_on: dt.date, assessor_name: str
) -> Assessment:
    """An MZ/T 039-2013 record (legacy): level by lookup table; an uncovered combination goes to review."""
    found = mzt039_level(*grades)
    record = Assessment.objects.create(
        elder=elder,
        standard=Assessment.Standard.MZT039,
        reason=Assessment.Reason.OTHER,
        assessed_on=assessed_on,
        assessor_name=assessor_name,
        domains=dict(zip(("日常生活活动", "精神状态", "感知觉与沟通", "社会参与"), grades, strict=True)),
        initial_level=found.level,
        final_level=found.level,
        reasons=[found.note] if found.note else [],
        needs_review=found.needs_review,
    )
    if not found.needs_review and elder.ability_level is None:
        _set_level(elder, found.level, assessed_on)
    _audit(
        actor,
        AuditEvent.Action.IMPORT,
        "eldercare_assessment",
        record.pk,
        f"{elder.person.name} MZ/T 039-2013 历史评估" + ("（需人工复核）" if found.needs_review else ""),
    )
    return record


# ------------------------------------------------------------------ catalogue, providers, caregivers


@transaction.atomic
def catalogue_load(*, actor: Actor | None, path: Path = CATALOGUE) -> tuple[int, int]:
    """Create or update the service items of the catalogue file; returns (created, updated)."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    created = updated = 0
    for row in rows:
        if row["category"] not in ServiceCategory.values:
            raise EldercareError(f"项目 {row['code']} 的服务类别 {row['category']} 不是 GB/T 43153-2023 七类之一")
        _, new = ServiceItem.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "category": row["category"],
                "standard_minutes": row["minutes"],
                "price_fen": row["price_fen"],
                "qualification": row.get("qualification") or "",
                "description": row.get("description", ""),
            },
        )
        created, updated = created + new, updated + (not new)
    _audit(actor, AuditEvent.Action.IMPORT, "eldercare_catalogue", "", f"载入服务项目 {len(rows)} 项（新增 {created}）")
    return created, updated


def params_load(*, actor: Actor | None) -> None:
    """The entitlement parameters (data/params.yaml) through the rules catalogue's import (audited there)."""
    from minzheng.rules.services import params_import

    params_import(actor=actor, path=PARAMS)


@transaction.atomic
def provider_create(
    *,
    actor: Actor | None,
    name: str,
    division_code: str,
    service_area: list[str],
    credit_code: str = "",
    phone: str = "",
) -> Provider:
    bad = [p for p in service_area if not p.isdigit()]
    if bad or not service_area:
        raise EldercareError("服务区域应为区划代码前缀（数字），至少一个：" + "、".join(bad))
    provider = Provider.objects.create(
        name=name, division_code=division_code, service_area=service_area, credit_code=credit_code, phone=phone
    )
    _audit(actor, AuditEvent.Action.CREATE, "eldercare_provider", provider.pk, f"登记服务商 {name}")
    return provider


@transaction.atomic
def caregiver_create(
    *, actor: Actor | None, provider: Provider, name: str, home_lat: float, home_lng: float, **fields: Any
) -> Caregiver:
    caregiver = Caregiver.objects.create(provider=provider, name=name, home_lat=home_lat, home_lng=home_lng, **fields)
    _audit(
        actor, AuditEvent.Action.CREATE, "eldercare_caregiver", caregiver.pk, f"登记护理员 {name}（{provider.name}）"
    )
    return caregiver


# ------------------------------------------------------------------ statements and flags


@transaction.atomic
def statement_build(*, actor: Actor | None, provider: Provider, month: dt.date) -> Statement:
    """Collect the month's followed-up orders of a provider into its draft statement (re-run safe)."""
    from minzheng.eldercare.entitlements import month_range

    month = month.replace(day=1)
    statement, _ = Statement.objects.get_or_create(provider=provider, month=month)
    if statement.status == Statement.Status.APPROVED:
        raise EldercareError(f"{provider.name} {month:%Y年%m月} 的结算单已审核，不能再变更")
    start, end = month_range(month)
    # The builder is the maker: recorded on the statement and, as an entry into 待审核, in its history,
    # so four eyes bars everyone who (re)built it.
    statement.built_by = actor if getattr(actor, "is_authenticated", False) else None
    Order.objects.filter(
        provider=provider, status=OrderStatus.VISITED_BACK, window_start__gte=start, window_start__lt=end
    ).update(statement=statement)
    _totals(statement)
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        "eldercare_statement",
        statement.pk,
        f"生成 {provider.name} {month:%Y年%m月} 结算单：{statement.order_count} 单",
    )
    workflow.start(statement, actor=actor)
    return statement


def _totals(statement: Statement) -> None:
    sums = statement.orders.aggregate(p=Sum("price_fen"), s=Sum("subsidy_fen"), c=Sum("copay_fen"))
    statement.order_count = statement.orders.count()
    statement.price_fen, statement.subsidy_fen, statement.copay_fen = sums["p"] or 0, sums["s"] or 0, sums["c"] or 0
    statement.save()


@transaction.atomic
def statement_approve(*, actor: Actor, statement: Statement, client_ip: str = "") -> Statement:
    """民政 (county) approval: the statement's orders become 已结算."""
    from minzheng.eldercare.orders import order_settle

    if statement.status == Statement.Status.APPROVED:
        raise EldercareError("该结算单已审核")
    if not statement.order_count:
        raise EldercareError("结算单没有订单，不能审核")
    # The kernel checks four eyes and the builder's independence, and of two approvers one wins.
    try:
        workflow.transition(
            statement,
            Statement.Status.APPROVED,
            actor=actor,
            changes={"approved_by": actor, "approved_at": timezone.now()},
            client_ip=client_ip,
        )
    except TransitionRefused as exc:
        raise EldercareError(f"{statement.provider.name} {statement.month:%Y年%m月} 结算单：{exc}") from exc
    for order in statement.orders.select_for_update().order_by("pk"):
        order_settle(actor=actor, order=order, client_ip=client_ip)
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        "eldercare_statement",
        statement.pk,
        f"审核通过 {statement.provider.name} {statement.month:%Y年%m月} 结算单：补贴 {statement.subsidy_fen} 分，"
        f"自付 {statement.copay_fen} 分",
        client_ip=client_ip,
    )
    return statement


def statement_export_audit(*, actor: Actor, statement: Statement, path: Path, client_ip: str = "") -> None:
    _audit(
        actor,
        AuditEvent.Action.EXPORT,
        "eldercare_statement",
        statement.pk,
        f"导出 {statement.provider.name} {statement.month:%Y年%m月} 结算单（{statement.order_count} 单）",
        client_ip=client_ip,
        data={"file": path.name},
    )


@transaction.atomic
def flag_resolve(*, actor: Actor, flag: FraudFlag, resolution: str, client_ip: str = "") -> FraudFlag:
    if not resolution.strip():
        raise EldercareError("请填写处理意见")
    if not flag.open:
        raise EldercareError("该疑点已处理")
    flag.open = False
    flag.resolution = resolution.strip()
    flag.resolved_by = actor
    flag.resolved_at = timezone.now()
    flag.save()
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        "eldercare_flag",
        flag.pk,
        f"处理疑点（{flag.get_kind_display()}）",
        reason=resolution,
        client_ip=client_ip,
    )
    return flag
