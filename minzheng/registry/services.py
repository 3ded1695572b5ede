"""Registry writes and audited reads. One transaction each, keyword-only actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minzheng.accounts.access import can_unmask, require
from minzheng.accounts.models import User
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.registry import search, vocab
from minzheng.registry.models import ChangeRecord, Household, Person, PersonTag


def _detail_viewed(actor: User, object_type: str, pk: int, summary: str, client_ip: str, via: str) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type=object_type,
        object_id=pk,
        summary=summary,
        client_ip=client_ip,
        data={"via": via},
    )


def person_view(*, actor: User, person: Person, client_ip: str = "", via: str = "page") -> None:
    """Record a read of a person's detail page or API detail."""
    _detail_viewed(actor, "person", person.pk, f"查看居民 {person.name} 详情", client_ip, via)


def household_view(*, actor: User, household: Household, client_ip: str = "", via: str = "page") -> None:
    _detail_viewed(actor, "household", household.pk, f"查看户 {household.household_no} 详情", client_ip, via)


class SearchRateLimited(Exception):
    """Too many searches by one user: each search could probe masked numbers."""

    message = "查询过于频繁，请稍后再试（每位用户每分钟查询次数有限）"


_PERIODS = {"second": 1, "minute": 60, "hour": 3600}


def _rate(setting: str, default: str) -> tuple[int, int]:
    """A rate setting, e.g. "30/minute" → (30, 60)."""
    count, _, period = str(getattr(settings, setting, default)).partition("/")
    return int(count), _PERIODS[period or "minute"]


def search_rate() -> tuple[int, int]:
    return _rate("REGISTRY_SEARCH_RATE", "30/minute")


def _under_rate(actor: User, rate: tuple[int, int], ours: Q) -> bool:
    """Counted from the audit log, so the limit holds across threads and processes alike."""
    limit, seconds = rate
    since = timezone.now() - dt.timedelta(seconds=seconds)
    return AuditEvent.objects.filter(ours, actor_username=actor.username, at__gte=since).count() < limit


def search_allowed(actor: User) -> bool:
    # Registry searches and registry exports only: other apps' searches and exports have their own pace.
    ours = Q(action=AuditEvent.Action.SEARCH, object_type="person") | Q(
        action=AuditEvent.Action.EXPORT, object_type="person_search"
    )
    return _under_rate(actor, search_rate(), ours)


LOOKUP_REFUSED = "按身份号码查找居民过于频繁，请稍后再试（每位用户每分钟查找次数有限）"
_LOOKUP = "person_number"  # the audit rows' object_type for typed-number lookups


def number_lookup(*, actor: User, number: str, purpose: str, client_ip: str = "") -> str | None:
    """Record a lookup of a typed identity number in a form (订餐, 建档, 入住 …), found or not.

    Such a form answers whether a number is registered: one guess per request, but a script could
    walk the number space. So each lookup is audited (the number's length only, as searches are) and
    rate-limited per user, apart from searches (settings.REGISTRY_LOOKUP_RATE). Call it before the
    lookup: it returns the refusal to show (recorded too) when the user is over the rate, else None.
    """
    allowed = _under_rate(actor, _rate("REGISTRY_LOOKUP_RATE", "30/minute"), Q(object_type=_LOOKUP))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.SEARCH,
        object_type=_LOOKUP,
        summary=f"按身份号码查找居民（{purpose}）" + ("" if allowed else "，被拒绝（过于频繁）"),
        client_ip=client_ip,
        data={"q": search.query_for_audit(search.Kind.ID_NUMBER, number), "purpose": purpose, "refused": not allowed},
    )
    return None if allowed else LOOKUP_REFUSED


class LookupRefused(Exception):
    """A typed-number lookup over the user's rate; the message (LOOKUP_REFUSED) is Chinese."""


def numbers_lookup(*, actor: User, numbers: Iterable[str], purpose: str, client_ip: str = "") -> None:
    """`number_lookup` for every number typed into one form (blank ones skipped): for pages whose
    service looks the numbers up itself. Raises LookupRefused at the first refusal, before the service runs."""
    for number in filter(str.strip, numbers):
        if refused := number_lookup(actor=actor, number=number, purpose=purpose, client_ip=client_ip):
            raise LookupRefused(refused)


def _search_audit(actor: User, found: search.Found, data: dict[str, object], client_ip: str) -> None:
    where = "接口" if data.get("via") == "api" else "页面"
    rows = "查询被拒绝（过于频繁）" if data.get("refused") else f"{len(found.persons)} 条结果"
    audit_record(
        actor=actor,
        action=AuditEvent.Action.SEARCH,
        object_type="person",
        summary=f"{where}查询居民，{rows}",
        client_ip=client_ip,
        data={**data, "kind": str(found.kind), "rows": len(found.persons)},
    )


def person_search_run(
    *,
    actor: User,
    q: str = "",
    list_name: str = "",
    page: int = 1,
    client_ip: str = "",
    via: str = "page",
    division: str = "",
) -> search.Found:
    """A search (or a home tile's list), rate-limited per user and audited: kind and count, never a full number."""
    kind = search.Kind.LIST if list_name else search.query_kind(search.normalise(q))
    data: dict[str, object] = {"q": search.query_for_audit(kind, q), "via": via}
    if list_name:
        data.update(list=search.query_for_audit(kind, list_name), page=page, division=division[:12])
    if not search_allowed(actor):
        _search_audit(actor, search.Found(kind), {**data, "refused": "rate"}, client_ip)
        raise SearchRateLimited(SearchRateLimited.message)
    if list_name:
        found = search.person_list(user=actor, name=list_name, page=page, division=division)
    else:
        found = search.person_search(user=actor, q=q)
    _search_audit(actor, found, data, client_ip)
    return found


class ReasonRequired(ValueError):
    pass


def person_unmask(*, actor: User, person: Person, reason: str, client_ip: str = "") -> dict[str, str]:
    """Full identity number and phone, for a permitted role with a typed reason."""
    require(can_unmask(actor))
    reason = reason.strip()
    if len(reason) < 2:
        raise ReasonRequired("请填写查看完整号码的事由")
    if "\x00" in reason:  # PostgreSQL refuses NUL in text: a Chinese 400, not a 500
        raise ReasonRequired("查看事由含有无效字符（NUL），请重新填写")
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UNMASK,
        object_type="person",
        object_id=person.pk,
        summary=f"查看居民 {person.name} 的完整身份号码和电话",
        reason=reason,
        client_ip=client_ip,
    )
    return {"id_number": person.id_number, "phone": person.phone, "birth_date": person.birth_date.isoformat()}


EDITABLE = {"phone": "联系电话", "tags_text": "人员标签"}


@transaction.atomic
def person_update(
    *, actor: User, person: Person, changes: dict[str, str], client_ip: str = "", source: str = "页面修改"
) -> list[ChangeRecord]:
    """Change a person's phone or tags; records old → new per field, then one audit row."""
    records: list[ChangeRecord] = []
    update_fields: list[str] = []
    for field, new in changes.items():
        if field not in EDITABLE:
            raise ValueError(f"字段 {field} 不可在此修改")
        if field == "tags_text":
            tags = vocab.tags_parse(new)
            new = vocab.tags_text(tags)
            person_tags_replace(person=person, tags=tags)
        old = getattr(person, field)
        if old == new and not _hides_equality(actor, field):
            continue
        setattr(person, field, new)
        update_fields.append(field)
        records.append(
            ChangeRecord(
                person=person, field=EDITABLE[field], old_value=old, new_value=new, changed_by=actor, source=source
            )
        )
    if not records:
        return []
    person.save(update_fields=[*update_fields, "updated_at"])
    ChangeRecord.objects.bulk_create(records)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="person",
        object_id=person.pk,
        summary=f"修改居民 {person.name}：" + "、".join(r.field for r in records),
        client_ip=client_ip,
        data={r.field: [r.old_value, r.new_value] for r in records},
    )
    return records


def _hides_equality(actor: User, field: str) -> bool:
    """A phone typed by a role that may not unmask is recorded even when it equals the stored one.

    Otherwise "没有变化" and a missing history row would confirm a guessed phone: an oracle like search.
    """
    return field == "phone" and not can_unmask(actor)


def person_tags_replace(*, person: Person, tags: list[vocab.Tag]) -> None:
    """Make the person's typed tags exactly `tags` (called inside a caller's transaction)."""
    PersonTag.objects.filter(person=person).delete()
    PersonTag.objects.bulk_create(
        [PersonTag(person=person, kind=t.kind, category=t.category, grade=t.grade) for t in tags]
    )


def tag_rows(person_id: int, tags: list[vocab.Tag]) -> list[PersonTag]:
    return [PersonTag(person_id=person_id, kind=t.kind, category=t.category, grade=t.grade) for t in tags]


class RegistryError(ValueError):
    """A Chinese message naming the field and the reason."""


def _fits(value: str, column: str) -> str:
    """The import's column limits (and its NUL rule) for every other way in."""
    from minzheng.registry.importing.rows import LIMITS

    if "\x00" in value:
        raise RegistryError(f"{column}：含有空字符（NUL）")
    if len(value) > LIMITS[column]:
        raise RegistryError(f"{column}：超过 {LIMITS[column]} 个字")
    return value


def _division_for_address(code: str) -> str:
    from minzheng.divisions import codes
    from minzheng.divisions.models import Division

    try:
        normalized = codes.normalize(code)
    except codes.DivisionCodeError as exc:
        raise RegistryError(f"现住址区划代码：{exc}") from exc
    if not Division.objects.filter(code=normalized).exists():
        raise RegistryError(f"现住址区划代码：区划 {normalized} 不存在")
    if codes.level_of(normalized) != codes.VILLAGE:
        raise RegistryError(f"现住址区划代码：{normalized} 不是村（社区）级区划")
    return normalized


@transaction.atomic
def household_create(
    *,
    actor: User | None,
    household_no: str,
    division_code: str,
    grid: str = "",
    building: str = "",
    unit: str = "",
    room: str = "",
    client_ip: str = "",
) -> Household:
    """A new 户 at a known village/community, with its lower grid levels."""
    code = _division_for_address(division_code)
    for value, column in ((household_no, "户编号"), (grid, "网格"), (building, "楼栋"), (unit, "单元"), (room, "房间")):
        _fits(value, column)
    if actor is not None and not code.startswith(actor.jurisdiction):
        raise RegistryError(f"现住址区划代码：{code} 不在您的管辖范围内")
    if Household.objects.filter(household_no=household_no).exists():
        raise RegistryError(f"户编号：{household_no} 已存在")
    household = Household.objects.create(
        household_no=household_no, division_id=code, grid=grid, building=building, unit=unit, room=room
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="household",
        object_id=household.pk,
        summary=f"新增户 {household_no}",
        client_ip=client_ip,
    )
    return household


@transaction.atomic
def person_create(
    *,
    actor: User | None,
    household: Household,
    name: str,
    id_number: str,
    relation: str,
    phone: str = "",
    tags: str = "",
    client_ip: str = "",
    source: str = "页面新增",
) -> Person:
    """Add a person to a household; the household keeps exactly one 户主."""
    from minzheng.core import idnumber
    from minzheng.registry.importing.rows import RowError, phone_parse

    try:
        parsed = idnumber.parse(id_number)
    except idnumber.IdNumberError as exc:
        raise RegistryError(f"公民身份号码：{exc}") from exc
    if Person.objects.filter(id_number=parsed.number).exists():
        raise RegistryError(f"公民身份号码：{parsed.number[:4]}…{parsed.number[-4:]} 已登记")
    try:
        rel = vocab.relation_parse(relation)
        tag_list = vocab.tags_parse(tags)
    except ValueError as exc:
        raise RegistryError(str(exc)) from exc
    if rel == "02" and household.members.filter(relation="02").exists():
        raise RegistryError("与户主关系：该户已有户主")
    name = _fits(name.strip(), "姓名")
    try:  # the import's rule, for every way in: a 10-digit "phone" is refused here too
        phone = phone_parse(phone.strip())
    except RowError as exc:
        raise RegistryError(str(exc)) from exc
    person = Person.objects.create(
        id_number=parsed.number,
        name=name,
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        phone=phone,
        household=household,
        relation=rel,
        division_code=household.division_id,
        tags_text=vocab.tags_text(tag_list),
    )
    PersonTag.objects.bulk_create(tag_rows(person.pk, tag_list))
    _member_added(actor, person, source)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="person",
        object_id=person.pk,
        summary=f"新增居民 {person.name}（户 {household.household_no}）",
        client_ip=client_ip,
    )
    return person


def _member_added(actor: User | None, person: Person, source: str) -> None:
    """History of both the 户 and the person: who added whom, as what (imports record their own)."""
    ChangeRecord.objects.create(
        person=person,
        household=person.household,
        field="家庭成员",
        new_value=f"新增 {person.name}（{person.get_relation_display()}）",
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        source=source,
    )


@transaction.atomic
def household_register(
    *,
    actor: User,
    household_no: str,
    division: str,
    head_name: str,
    head_id_number: str,
    head_phone: str = "",
    head_tags: str = "",
    grid: str = "",
    building: str = "",
    unit: str = "",
    room: str = "",
    client_ip: str = "",
) -> Household:
    """A new 户 and its 户主 together: a 户 never exists without exactly one 户主."""
    household = household_create(
        actor=actor,
        household_no=household_no.strip(),
        division_code=division,
        grid=grid,
        building=building,
        unit=unit,
        room=room,
        client_ip=client_ip,
    )
    person_create(
        actor=actor,
        household=household,
        name=head_name,
        id_number=head_id_number,
        relation="户主",
        phone=head_phone,
        tags=head_tags,
        client_ip=client_ip,
    )
    return household
