"""Registry benefit tags (低保对象, 低保边缘, 特困人员, 孤儿, 事实无人抚养儿童) as a projection of live entitlements.

An entitlement that is not ended puts its programme's tag on the persons it covers (a household
entitlement: every member); ending it takes the tag off. The registry's pages refuse these kinds by
hand (`benefit_tag_refusal`). Benefit tags that arrive without an entitlement (the old rolls, an import
of the residents template) become migrated entitlements with an unknown amount (暂停, 金额待核对: never
paid until someone sets the amount), except where the programme was ended for that subject: a stop
is never undone by an old roll, the tag is taken off instead.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.core.dates import add_months, first_of, month_label
from minzheng.payments.models import Entitlement, Status
from minzheng.payments.programmes import by_tag, programme
from minzheng.registry import vocab
from minzheng.registry.models import ChangeRecord, Household, Person, PersonTag

MIGRATED = "migrated"


def benefit_kinds() -> frozenset[str]:
    return frozenset(by_tag())


def _tag_of() -> dict[str, str]:
    return {prog: kind for kind, prog in by_tag().items()}


def benefit_tag_refusal(old_text: str, new_text: str) -> str | None:
    """The registry form's check: a benefit kind added or removed by hand → the Chinese refusal."""
    try:
        old = {t.kind for t in vocab.tags_parse(old_text or "")}
        new = {t.kind for t in vocab.tags_parse(new_text or "")}
    except ValueError:
        return None  # the form's own parse reports it
    changed = sorted((old ^ new) & benefit_kinds())
    if not changed:
        return None
    labels = "、".join(f"“{PersonTag.Kind(k).label}”" for k in changed)
    return f"人员标签：{labels}由待遇记录产生（案件审核确认、停保复核），不能手工添加或删除"


# ------------------------------------------------------------------ entitlements → tags


def covered_persons(ent: Entitlement) -> list[int]:
    if ent.household_id:
        return list(Person.objects.filter(household_id=ent.household_id).values_list("pk", flat=True))
    return [ent.person_id] if ent.person_id else []


def live_kinds(person_ids: Iterable[int]) -> dict[int, set[str]]:
    """person id → the benefit kinds their live entitlements (own or household's) give."""
    tag_of = _tag_of()
    ids = list(person_ids)
    households = dict(Person.objects.filter(pk__in=ids).values_list("pk", "household_id"))
    out: dict[int, set[str]] = {pk: set() for pk in ids}
    live = Entitlement.objects.exclude(status=Status.ENDED).filter(programme__in=list(tag_of))
    for pid, prog in live.filter(person_id__in=ids).values_list("person_id", "programme"):
        out[pid].add(tag_of[prog])
    by_household = defaultdict(set)
    for hid, prog in live.filter(household_id__in=set(households.values())).values_list("household_id", "programme"):
        by_household[hid].add(tag_of[prog])
    for pid, hid in households.items():
        out[pid] |= by_household.get(hid, set())
    return out


def sync_persons(person_ids: Iterable[int], *, source: str = "待遇记录") -> int:
    """Make these persons' benefit tags exactly what their live entitlements say; returns persons changed."""
    wanted = live_kinds(person_ids)
    benefit = benefit_kinds()
    changed = 0
    for pid, kinds in wanted.items():
        have = set(PersonTag.objects.filter(person_id=pid, kind__in=benefit).values_list("kind", flat=True))
        if have == kinds:
            continue
        PersonTag.objects.filter(person_id=pid, kind__in=have - kinds).delete()
        PersonTag.objects.bulk_create([PersonTag(person_id=pid, kind=k) for k in sorted(kinds - have)])
        _retext(pid, source)
        changed += 1
    return changed


def _retext(person_id: int, source: str) -> None:
    """Keep tags_text (search, pages, import comparisons) in step, with a history row on the person."""
    rows = PersonTag.objects.filter(person_id=person_id).values_list("kind", "category", "grade")
    text = vocab.tags_text(sorted((vocab.Tag(k, c, g) for k, c, g in rows), key=lambda t: t.kind))
    old = Person.objects.filter(pk=person_id).values_list("tags_text", flat=True).first() or ""
    if old == text:
        return
    Person.objects.filter(pk=person_id).update(tags_text=text, updated_at=timezone.now())
    ChangeRecord.objects.create(person_id=person_id, field="人员标签", old_value=old, new_value=text, source=source)


def after_status_change(ent: Entitlement) -> None:
    """services.AFTER_STATUS_CHANGE hook: the tags of everyone this entitlement covers."""
    if ent.programme in _tag_of():
        sync_persons(covered_persons(ent), source=f"待遇 {programme(ent.programme).name}#{ent.pk}")


def tags_sync_all() -> dict[str, int]:
    """Scheduler (daily): every benefit tag and every live entitlement agree (catches moves between
    households and anything written around the services); old-roll tags become entitlements first."""
    migrated = tags_to_entitlements()
    tag_of = _tag_of()
    live = Entitlement.objects.exclude(status=Status.ENDED).filter(programme__in=list(tag_of))
    ids = set(PersonTag.objects.filter(kind__in=benefit_kinds()).values_list("person_id", flat=True))
    ids |= set(live.exclude(person=None).values_list("person_id", flat=True))
    households = live.exclude(household=None).values_list("household_id", flat=True)
    ids |= set(Person.objects.filter(household_id__in=households).values_list("pk", flat=True))
    changed = 0
    ordered = sorted(ids)
    for start in range(0, len(ordered), 2000):
        with transaction.atomic():
            changed += sync_persons(ordered[start : start + 2000], source="待遇记录（每日核对）")
    return {**migrated, "persons_retagged": changed}


# ------------------------------------------------------------------ tags → entitlements (old rolls)


def _subjects_from_tags() -> dict[tuple[str, str, int], str]:
    """(programme, 'household'|'person', subject id) → the tag label, for benefit tags not covered."""
    prog_of = by_tag()
    wanted: dict[tuple[str, str, int], str] = {}
    rows = PersonTag.objects.filter(kind__in=list(prog_of)).values_list("person_id", "person__household_id", "kind")
    for pid, hid, kind in rows:
        prog = programme(prog_of[kind])
        key = (prog.id, "household", hid) if prog.per_household else (prog.id, "person", pid)
        wanted[key] = PersonTag.Kind(kind).label
    return wanted


def _subject_keys(ended: bool) -> set[tuple[str, str, int]]:
    rows = Entitlement.objects.filter(programme__in=list(by_tag().values()))
    rows = rows.filter(status=Status.ENDED) if ended else rows.exclude(status=Status.ENDED)
    keys: set[tuple[str, str, int]] = set()
    for prog, hid, pid in rows.values_list("programme", "household_id", "person_id"):
        keys.add((prog, "household", hid) if hid else (prog, "person", pid))
    return keys


def migration_month(on: dt.date) -> dt.date:
    """Migrated rolls are paid by the platform from the month after the migration: the old system paid
    up to and including this month (no arrears are invented for the years the tag existed)."""
    return add_months(first_of(on), 1)


def tags_to_entitlements(*, on: dt.date | None = None, actor: Actor | None = None) -> dict[str, int]:
    """Benefit tags with no live entitlement → migrated entitlements (暂停, 金额待核对), idempotent."""
    from minzheng.payments.sources import entitlement_open

    on = on or timezone.localdate()
    month = migration_month(on)
    created = refused = 0
    live, ended = _subject_keys(ended=False), _subject_keys(ended=True)
    for (prog_id, kind, subject_id), label in sorted(_subjects_from_tags().items()):
        if (prog_id, kind, subject_id) in live:
            continue
        if (prog_id, kind, subject_id) in ended:  # stopped: the old roll does not undo a stop
            _drop_stale(prog_id, kind, subject_id)
            refused += 1
            continue
        subject = (Household if kind == "household" else Person).objects.get(pk=subject_id)
        reason = f"由旧标签“{label}”迁移（平台自{month_label(month)}起接续发放）"
        with transaction.atomic():
            entitlement_open(
                prog=programme(prog_id), subject=subject, amount_fen=None, from_month=month,
                source=MIGRATED, reason=reason, actor=actor,
            )  # fmt: skip
        created += 1
    return {"migrated": created, "stale_tags_removed": refused}


def _drop_stale(prog_id: str, kind: str, subject_id: int) -> None:
    people = Person.objects.filter(Q(household_id=subject_id) if kind == "household" else Q(pk=subject_id))
    with transaction.atomic():
        sync_persons(people.values_list("pk", flat=True), source="待遇已停发（旧标签不恢复待遇）")


def covered_counts(prefix: str) -> dict[str, int]:
    """Home page: persons in a jurisdiction covered by a live entitlement, per benefit tag kind."""
    from django.db.models import Exists, OuterRef

    from minzheng.core.jurisdiction import prefix_q

    persons = Person.objects.filter(prefix_q("division_code", prefix))
    live = Entitlement.objects.exclude(status=Status.ENDED)
    out = {}
    for kind, prog in by_tag().items():
        own = live.filter(programme=prog, person_id=OuterRef("pk"))
        household = live.filter(programme=prog, household_id=OuterRef("household_id"))
        out[kind] = persons.filter(Exists(own) | Exists(household)).count()
    return out
