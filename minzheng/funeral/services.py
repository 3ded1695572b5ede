"""Writes in 殡葬: funeral homes, cemeteries and plots, cremations (at the home or from the cremation feed),
the ashes' moves and the burial. Every write is one transaction ending in one audit row.

A cremation starts (or joins) the family's 身后一件事 through the life-event part
(`lifeevents.services.event_from_record`, kind "death"); a burial asks the rules engine for the two
funeral payments (services_award).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.masking import mask_name
from minzheng.funeral.models import AT_SEA, AshesEvent, Burial, Cemetery, Cremation, FuneralHome, Plot
from minzheng.registry.models import Person


class FuneralError(ValueError):
    """Refused with a Chinese reason naming the field."""


def _user(actor: Actor | None) -> Actor | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def person_by_id(id_number: str, what: str = "逝者") -> Person:
    person = Person.objects.filter(id_number=id_number.strip().upper()).first()
    if person is None:
        raise FuneralError(f"{what}身份号码 {id_number} 不在居民库中")
    return person


# ------------------------------------------------------------------ homes, cemeteries, plots


@transaction.atomic
def home_create(
    *, code: str, name: str, division_code: str, actor: Actor, address: str = "", phone: str = ""
) -> FuneralHome:
    home = FuneralHome.objects.create(code=code, name=name, division_code=division_code, address=address, phone=phone)
    audit_record(
        actor=actor, action="create", object_type="funeral_home", object_id=home.pk, summary=f"登记殡仪馆：{name}"
    )
    return home


@transaction.atomic
def cemetery_create(
    *, name: str, kind: str, division_code: str, actor: Actor, approval_no: str = "", operator: str = ""
) -> Cemetery:
    if kind not in Cemetery.Kind.values:
        raise FuneralError("公墓类型应为公益性公墓、经营性公墓或骨灰堂")
    cemetery = Cemetery.objects.create(
        name=name.strip(), kind=kind, division_code=division_code, approval_no=approval_no, operator=operator
    )
    audit_record(
        actor=actor, action="create", object_type="funeral_cemetery", object_id=cemetery.pk, summary=f"登记公墓：{name}"
    )
    return cemetery


@transaction.atomic
def plots_add(
    cemetery: Cemetery, *, prefix: str, count: int, kind: str, actor: Actor, area_m2: Decimal | None = None
) -> int:
    """Add `count` plots numbered prefix-001 …; numbers already there are skipped (re-running adds nothing)."""
    if not 0 < count <= 500:
        raise FuneralError("墓位数量应为 1 至 500")
    have = set(Plot.objects.filter(cemetery=cemetery).values_list("number", flat=True))
    new = [f"{prefix}-{i:03d}" for i in range(1, count + 1)]
    rows = [Plot(cemetery=cemetery, number=n, kind=kind, area_m2=area_m2) for n in new if n not in have]
    Plot.objects.bulk_create(rows)
    audit_record(
        actor=actor, action="create", object_type="funeral_cemetery", object_id=cemetery.pk,
        summary=f"新增墓位 {len(rows)} 个（{prefix} 区，{kind}）",
    )  # fmt: skip
    return len(rows)


# Plot states move only along these steps; a used plot leaves only by 迁出 (then it may be reused).
PLOT_STEPS = {
    Plot.State.FREE: {Plot.State.RESERVED, Plot.State.USED},
    Plot.State.RESERVED: {Plot.State.FREE, Plot.State.USED},
    Plot.State.USED: {Plot.State.VACATED},
    Plot.State.VACATED: {Plot.State.FREE},
}


def plot_set_state(plot: Plot, to: str, *, actor: Actor, on: dt.date | None = None, note: str = "") -> Plot:
    """Change a plot's state (compare-and-set: of two clerks booking one plot, one wins)."""
    current = Plot.State(plot.state)
    if to not in PLOT_STEPS[current]:
        raise FuneralError(f"墓位 {plot.number} 当前为「{current.label}」，不能改为「{Plot.State(to).label}」")
    day = on or timezone.localdate()
    with transaction.atomic():
        won = Plot.objects.filter(pk=plot.pk, state=current).update(state=to, state_since=day, note=note[:200])
        if won != 1:
            raise FuneralError(f"墓位 {plot.number} 已被他人办理，请刷新后重试")
        audit_record(
            actor=actor, action="update", object_type="funeral_cemetery", object_id=plot.cemetery_id,
            summary=f"墓位 {plot.number}：{current.label} → {Plot.State(to).label}", reason=note,
        )  # fmt: skip
    plot.state, plot.state_since, plot.note = to, day, note[:200]
    return plot


# ------------------------------------------------------------------ cremation


@dataclass
class CremationData:
    id_number: str
    died_on: dt.date
    cremated_on: dt.date
    home: FuneralHome | None = None
    certificate_no: str = ""
    family_id_number: str = ""  # 丧事承办人: a resident (the payee of the subsidies)
    family_name: str = ""
    family_phone: str = ""


def _check_dates(died_on: dt.date, cremated_on: dt.date) -> None:
    if died_on > timezone.localdate() or cremated_on > timezone.localdate():
        raise FuneralError(f"死亡日期 {died_on} 或火化日期 {cremated_on} 晚于今天")
    if cremated_on < died_on:
        raise FuneralError(f"火化日期 {cremated_on} 早于死亡日期 {died_on}")


def cremation_record(data: CremationData, *, actor: Actor, client_ip: str = "") -> Cremation:
    """The funeral home's record. A cremation the feed brought first is completed, not duplicated."""
    _check_dates(data.died_on, data.cremated_on)
    person = person_by_id(data.id_number)
    family = person_by_id(data.family_id_number, "丧事承办人") if data.family_id_number.strip() else None
    if family is not None and family.pk == person.pk:
        raise FuneralError("丧事承办人不能是逝者本人")
    number = data.certificate_no.strip()
    if number and Cremation.objects.filter(certificate_no=number).exclude(person=person).exists():
        raise FuneralError(f"火化证明编号 {number} 已被另一条记录使用")
    with transaction.atomic():
        existing = Cremation.objects.select_for_update().filter(person=person).first()
        if existing is not None and existing.source == Cremation.Source.HOME:
            raise FuneralError(f"{person.name} 已有火化记录（{existing.cremated_on}）")
        fields = {
            "division_code": person.division_code, "home": data.home, "died_on": data.died_on,
            "cremated_on": data.cremated_on, "certificate_no": number, "family_person": family,
            "family_name": family.name if family else data.family_name.strip(),
            "family_phone": data.family_phone.strip() or (family.phone if family else ""),
        }  # fmt: skip
        if existing is None:
            cremation = Cremation.objects.create(
                person=person, source=Cremation.Source.HOME, ashes_since=data.cremated_on,
                created_by=_user(actor), **fields,
            )  # fmt: skip
            AshesEvent.objects.create(
                cremation=cremation, state=Cremation.Ashes.STORED, on=data.cremated_on,
                place=data.home.name if data.home else "", recorded_by=_user(actor),
            )  # fmt: skip
        else:
            Cremation.objects.filter(pk=existing.pk).update(source=Cremation.Source.HOME, **fields)
            cremation = Cremation.objects.get(pk=existing.pk)
        _death_event(cremation, actor)
        audit_record(
            actor=actor, action="create", object_type="funeral_cremation", object_id=cremation.pk,
            summary=f"火化登记：{mask_name(person.name)}（{data.cremated_on}）", client_ip=client_ip,
        )  # fmt: skip
        from minzheng.funeral import services_award

        services_award.decide(person, actor=actor)  # 惠民殡葬 at cremation; eco-burial waits for the burial
    return cremation


def _death_event(cremation: Cremation, actor: Actor | None) -> None:
    """身后一件事: the cremation starts the deceased's life event (or joins the one already open)."""
    from minzheng.lifeevents.services import event_from_record

    event_from_record(
        kind="death",
        person=cremation.person,
        source="cremation",
        source_ref=f"funeral.cremation:{cremation.pk}",
        facts={
            "died_on": cremation.died_on.isoformat(),
            "cremated_on": cremation.cremated_on.isoformat(),
            "certificate_no": cremation.certificate_no,
            "funeral_home": cremation.home.name if cremation.home_id and cremation.home else "",
        },
        actor=None,  # the department record drafts the event; 受理 stays a window officer's step
    )


@dataclass
class AshesMove:
    state: str
    on: dt.date
    place: str = ""
    handled_by: str = ""


def ashes_move(cremation: Cremation, move: AshesMove, *, actor: Actor, client_ip: str = "") -> AshesEvent:
    """骨灰寄存 → 家属领回 → 安葬 (the burial itself moves the ashes to 已安葬)."""
    if move.state not in Cremation.Ashes.values:
        raise FuneralError("骨灰去向应为寄存殡仪馆、家属领回或已安葬")
    if move.on < cremation.cremated_on or move.on > timezone.localdate():
        raise FuneralError(f"日期 {move.on} 应在火化日期 {cremation.cremated_on} 与今天之间")
    if cremation.ashes == Cremation.Ashes.BURIED:
        raise FuneralError("骨灰已安葬；迁葬请登记新的安葬地点")
    if move.state == Cremation.Ashes.TAKEN and not move.handled_by.strip():
        raise FuneralError("家属领回骨灰须填写领取人")
    with transaction.atomic():
        event = AshesEvent.objects.create(
            cremation=cremation, state=move.state, on=move.on, place=move.place.strip(),
            handled_by=move.handled_by.strip(), recorded_by=_user(actor),
        )  # fmt: skip
        Cremation.objects.filter(pk=cremation.pk).update(ashes=move.state, ashes_since=move.on)
        cremation.ashes, cremation.ashes_since = move.state, move.on
        audit_record(
            actor=actor, action="update", object_type="funeral_cremation", object_id=cremation.pk,
            summary=f"骨灰去向：{Cremation.Ashes(move.state).label}（{move.on}）", client_ip=client_ip,
        )  # fmt: skip
    return event


# ------------------------------------------------------------------ burial


@dataclass
class BurialData:
    id_number: str
    burial_type: str
    buried_on: dt.date
    payee_id_number: str
    plot: Plot | None = None
    place: str = ""


def _check_burial(data: BurialData, person: Person, cremation: Cremation | None) -> None:
    from minzheng.funeral.models import BurialType

    if data.burial_type not in BurialType.values:
        raise FuneralError("请选择安葬方式")
    if data.buried_on > timezone.localdate():
        raise FuneralError(f"安葬日期 {data.buried_on} 晚于今天")
    if cremation is not None and data.buried_on < cremation.cremated_on:
        raise FuneralError(f"安葬日期 {data.buried_on} 早于火化日期 {cremation.cremated_on}")
    if Burial.objects.filter(person=person).exists():
        raise FuneralError(f"{person.name} 已有安葬记录")
    if data.burial_type in AT_SEA:
        if not data.place.strip():
            raise FuneralError("海葬须填写海域（安葬地点说明）")
    elif data.plot is None:
        raise FuneralError(f"{data.burial_type}须选择公墓墓位")
    elif data.plot.state not in (Plot.State.FREE, Plot.State.RESERVED):
        raise FuneralError(f"墓位 {data.plot.number} 当前为「{data.plot.get_state_display()}」，不能安葬")


def burial_record(data: BurialData, *, actor: Actor, client_ip: str = "") -> Burial:
    """Record the burial, take the plot, mark the ashes buried, then decide the two payments (rules engine)."""
    from minzheng.funeral import services_award

    person = person_by_id(data.id_number)
    payee = person_by_id(data.payee_id_number, "丧事承办人")
    if payee.pk == person.pk:
        raise FuneralError("丧事承办人不能是逝者本人")
    cremation = Cremation.objects.filter(person=person).first()
    _check_burial(data, person, cremation)
    with transaction.atomic():
        burial = Burial.objects.create(
            person=person, division_code=person.division_code, cremation=cremation, burial_type=data.burial_type,
            buried_on=data.buried_on, cemetery=data.plot.cemetery if data.plot else None, plot=data.plot,
            place=data.place.strip(), payee=payee, recorded_by=_user(actor),
        )  # fmt: skip
        if data.plot is not None:
            plot_set_state(
                data.plot, Plot.State.USED, actor=actor, on=data.buried_on, note=f"安葬 {mask_name(person.name)}"
            )
        if cremation is not None and cremation.ashes != Cremation.Ashes.BURIED:
            where = str(data.plot) if data.plot else data.place.strip()
            ashes_move(cremation, AshesMove(Cremation.Ashes.BURIED, data.buried_on, where, payee.name), actor=actor)
        audit_record(
            actor=actor, action="create", object_type="funeral_burial", object_id=burial.pk,
            summary=f"安葬登记：{mask_name(person.name)}，{data.burial_type}（{data.buried_on}）", client_ip=client_ip,
        )  # fmt: skip
        services_award.decide(person, actor=actor)
    return burial


def record_read(obj: Cremation | Burial, *, actor: Actor, client_ip: str = "") -> None:
    """Opening a deceased person's funeral file is a read of personal data: audited."""
    kind = "funeral_cremation" if isinstance(obj, Cremation) else "funeral_burial"
    audit_record(
        actor=actor, action="view", object_type=kind, object_id=obj.pk,
        summary=f"查看殡葬档案：{mask_name(obj.person.name)}", client_ip=client_ip,
    )  # fmt: skip
