"""Department data → a parent's situation, and a 待办 for the 儿童主任 and the 儿童督导员.

After each verification batch (verification.tasks.AFTER_BATCH) and daily, the newest stored batch
result of every household holding a parent named in a child file is read (the batch stores a
household's result only when it changed, so its latest row is its current state):

- a death (死亡医学证明, 火化, 户籍注销) → 死亡 from the date of death;
- on the prison list on the run's date → 服刑在押 from that date; a parent recorded as imprisoned
  from the feed who is no longer on it → 在家 (刑满释放) from that date, which ends the category;
- a disability card with a 一级/二级 registry grade → 重残.

Each fact is applied once: its `feed_key` names the person, the fact and the stored result (or the
date of death), so a second run changes nothing and a worker's correction by visit is not undone by
the next night's run. Each change opens one item per role (fingerprint = the fact and the role).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.db.models import Max
from django.utils import timezone

from minzheng.children import services
from minzheng.children.models import ChildFile, ParentSituation, Situation, Source
from minzheng.core.masking import mask_name
from minzheng.registry.models import Person, PersonTag
from minzheng.verification.models import BatchHouseholdResult
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import KIND_LABELS, ItemSpec, item_upsert

log = logging.getLogger(__name__)
SOURCE = "children_feed"
KINDS = {
    "child_parent_dead": "儿童父母情形变化：死亡",
    "child_parent_imprisoned": "儿童父母情形变化：服刑",
    "child_parent_present": "儿童父母情形变化：刑满释放",
    "child_parent_severe_disability": "儿童父母情形变化：重残",
}
KIND_LABELS.update(KINDS)
ROLES = ("child_director", "child_supervisor")
FEED_NAMES = {"death": "死亡医学证明", "cremation": "火化", "hukou": "户籍注销"}


def watched_parents() -> dict[int, list[tuple[ChildFile, str]]]:
    """Parent person id → the (child file, 父/母) that name them."""
    out: dict[int, list[tuple[ChildFile, str]]] = defaultdict(list)
    seen: set[tuple[int, int, str]] = set()
    rows = ParentSituation.objects.filter(parent_person__isnull=False).select_related("child", "child__person")
    for row in rows.order_by("pk"):
        key = (row.parent_person_id, row.child_id, row.parent)
        if key not in seen and row.parent_person_id is not None:
            seen.add(key)
            out[row.parent_person_id].append((row.child, row.parent))
    return out


def _newest(household_ids: list[int], as_of: dt.date) -> list[BatchHouseholdResult]:
    out: list[BatchHouseholdResult] = []
    for start in range(0, len(household_ids), 2000):
        ids = household_ids[start : start + 2000]
        newest = (
            BatchHouseholdResult.objects.filter(household_id__in=ids, run__as_of__lte=as_of)
            .values("household_id")
            .annotate(m=Max("id"))
            .values_list("m", flat=True)
        )
        out.extend(BatchHouseholdResult.objects.filter(pk__in=list(newest)).select_related("run"))
    return out


def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def apply_parent_findings(as_of: dt.date | None = None) -> dict[str, int]:
    """Update parents' situations from the newest batch results; one 待办 per change and role. Idempotent."""
    as_of = as_of or timezone.localdate()
    watched = watched_parents()
    counts = {"parents": len(watched), "changes": 0, "items": 0}
    if not watched:
        return counts
    people = {p.pk: p for p in Person.objects.filter(pk__in=list(watched))}
    by_number = {p.id_number: p for p in people.values()}
    severe = set(
        PersonTag.objects.filter(
            person_id__in=list(people), kind=PersonTag.Kind.DISABILITY, grade__in=["一级", "二级"]
        ).values_list("person_id", flat=True)
    )
    for result in _newest(sorted({p.household_id for p in people.values()}), as_of):
        for member in result.persons or []:
            person = by_number.get(member.get("id_number", ""))
            if person is None:
                continue
            for child, parent in watched[person.pk]:
                fact = _fact(member, person, result, child, parent, person.pk in severe)
                if fact and apply_fact(child, parent, person, fact, counts):
                    counts["changes"] += 1
    return counts


def _fact(
    member: dict[str, Any], person: Person, result: BatchHouseholdResult, child: ChildFile, parent: str, severe: bool
) -> tuple[str, dt.date, str, str] | None:
    """(situation, since, evidence, feed_key) the data say for this parent now, or None."""
    flags = set(member.get("flags") or [])
    run_day = result.run.as_of
    died = _day(member.get("died_on"))
    if died or "deceased" in flags:
        feeds = "、".join(FEED_NAMES.get(s, s) for s in member.get("death_sources") or []) or "部门数据"
        when = died or run_day
        return (
            Situation.DEAD,
            when,
            f"{feeds}：死亡日期 {died or '不详'}（核对日 {run_day}）",
            f"death:{person.pk}:{when}",
        )
    now = _in_force(child, parent, run_day)
    if "prison" in flags:
        text = f"服刑人员名单：核对日 {run_day} 在服刑期内"
        return Situation.IMPRISONED, run_day, text, f"prison:{person.pk}:r{result.pk}"
    if now is not None and now.situation == Situation.IMPRISONED and now.source == Source.FEED:
        text = f"服刑人员名单：核对日 {run_day} 已无此人（刑满释放），待儿童主任走访核实"
        return Situation.PRESENT, run_day, text, f"release:{person.pk}:r{result.pk}"
    if "disability" in flags and severe:
        return Situation.SEVERE_DISABILITY, run_day, "残疾人数据：持一级或二级残疾证", f"disability:{person.pk}"
    return None


def _in_force(child: ChildFile, parent: str, on: dt.date) -> ParentSituation | None:
    from minzheng.children.categories import current

    return current(list(ParentSituation.objects.filter(child=child, parent=parent)), on)


def apply_fact(
    child: ChildFile,
    parent: str,
    person: Person,
    fact: tuple[str, dt.date, str, str],
    counts: dict[str, int] | None = None,
) -> bool:
    """Record one department fact (situation, since, evidence, key) once, with a 待办 per role."""
    counts = counts if counts is not None else {"items": 0}
    situation, since, evidence, key = fact
    if ParentSituation.objects.filter(child=child, parent=parent, feed_key=key).exists():
        return False  # this fact was applied once; a correction by visit stands
    now = _in_force(child, parent, since)
    if now is not None and now.situation == situation:
        return False
    since = min(since, timezone.localdate())
    row = services.situation_record(
        child,
        parent=parent,
        situation=situation,
        since=since,
        source=Source.FEED,
        evidence=evidence,
        parent_person=person,
        feed_key=key,
        actor=None,
    )
    for role in ROLES:
        _item(child, row, role)
        counts["items"] += 1
    return True


def _item(child: ChildFile, row: ParentSituation, role: str) -> WorkItem:
    who = mask_name(child.person.name)
    what = f"{row.get_parent_display()}{row.get_situation_display()}"
    return item_upsert(
        ItemSpec(
            source=SOURCE,
            kind=f"child_parent_{row.situation}",
            title=f"儿童档案：{who}的{what}（部门数据，{row.since} 起），请核实并走访",
            subject_type="child_file",
            subject_id=str(child.pk),
            division_code=child.division_code,
            role=role,
            fingerprint=f"childfeed:{child.pk}:{row.feed_key}:{role}",
            data={"child": child.pk, "situation": row.pk, "detail": row.evidence[:200]},
        )
    )


def after_batch(run: Any) -> None:
    """Called when a verification batch finishes: the 儿童主任 hears the same day, not the next morning."""
    try:
        apply_parent_findings(as_of=max(run.as_of, timezone.localdate()))
    except Exception:  # the batch itself succeeded; the daily schedule runs again
        log.exception("children apply_parent_findings after batch %s failed", getattr(run, "pk", None))
