"""A child's categories, decided by the rules engine from the child file.

The file gives the facts (age, each parent's current situation and since when, school, disability,
the 儿童主任's 监护缺失 finding); the policies (`rules/policies/orphan.yaml`, `unsupported_child.yaml`,
`guardian_missing_child.yaml`, `distressed_child.yaml`, `left_behind_child_care.yaml` and the shared
values in `_common.yaml`: 父母双亡或失踪, 事实无人抚养情形 with 失联满 6 个月 counted from the recorded
date, 父母外出务工情形) decide. A parent with no recorded situation is unknown, never "present":
a category that depends on it is 待核对 and says what is missing.

Each child is evaluated as a household of one: categories are about the child, not the family's means.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from minzheng.children.models import ChildCategory, ChildFile, ParentSituation, Situation
from minzheng.registry import vocab
from minzheng.registry.models import ChangeRecord, Person, PersonTag

# category id → (policy id, Chinese name)
CATEGORIES: dict[str, tuple[str, str]] = {
    "orphan": ("orphan", "孤儿"),
    "unsupported_child": ("unsupported_child", "事实无人抚养儿童"),
    "guardian_missing_child": ("guardian_missing_child", "监护缺失困境儿童"),
    "distressed_child": ("distressed_child", "困境儿童"),
    "left_behind_child": ("left_behind_child_care", "留守儿童"),
}
# The words the policies compare (engine input 父亲情形 / 母亲情形).
RULE_WORDS = {
    Situation.DEAD: "死亡",
    Situation.MISSING: "宣告失踪",
    Situation.SEVERE_DISABILITY: "重残",
    Situation.SEVERE_ILLNESS: "重病",
    Situation.IMPRISONED: "服刑",
    Situation.COMPULSORY_REHAB: "强制隔离戒毒",
    Situation.LOST_CONTACT: "失联",
    Situation.DEPORTED: "遣送出境",
    Situation.AWAY_WORKING: "外出务工",
    Situation.PRESENT: "在家",
}
# Tags this app keeps in step; 孤儿 / 事实无人抚养儿童 belong to payments (entitlements → tags).
OWN_TAGS = {"distressed_child": PersonTag.Kind.DISTRESSED_CHILD, "left_behind_child": PersonTag.Kind.LEFT_BEHIND_CHILD}
MISSING_WORDS = {
    "父亲情形": "父亲情形（儿童档案未登记）",
    "母亲情形": "母亲情形（儿童档案未登记）",
    "父亲情形日期": "父亲情形起始日期",
    "母亲情形日期": "母亲情形起始日期",
    "监护缺失": "监护缺失（儿童主任尚未走访认定）",
    "在校生": "是否在校（18 周岁以上须核实）",
}
STATUS_YES, STATUS_NO, STATUS_PENDING = "是", "否", "待核对"


@dataclass
class Result:
    categories: list[str]
    pending: list[str]
    explanation: list[dict[str, str]]


def current(rows: Iterable[ParentSituation], as_of: dt.date) -> ParentSituation | None:
    """The parent's situation in force on `as_of`: the newest row begun by then and not ended.

    A row that has ended (released, found) with nothing recorded after it leaves the parent unknown.
    """
    begun = [r for r in rows if r.since <= as_of]
    if not begun:
        return None
    newest = max(begun, key=lambda r: (r.since, r.pk or 0))
    return newest if newest.until is None or newest.until > as_of else None


def situations_of(children: list[ChildFile]) -> dict[int, dict[str, list[ParentSituation]]]:
    out: dict[int, dict[str, list[ParentSituation]]] = defaultdict(lambda: defaultdict(list))
    ids = [c.pk for c in children]
    for start in range(0, len(ids), 2000):
        for row in ParentSituation.objects.filter(child_id__in=ids[start : start + 2000]):
            out[row.child_id][row.parent].append(row)
    return out


ASSISTED = (PersonTag.Kind.DIBAO, PersonTag.Kind.TEKUN)  # 低保、特困 (benefit tags: live entitlements)


def assisted_of(children: list[ChildFile]) -> set[int]:
    """Person ids of children whose family receives 低保 or 特困 (the registry's benefit tags)."""
    ids = [c.person_id for c in children]
    tagged = PersonTag.objects.filter(person_id__in=ids, kind__in=ASSISTED).values_list("person_id", flat=True)
    return set(tagged)


def person_row(
    child: ChildFile, father: ParentSituation | None, mother: ParentSituation | None, assisted: bool = False
) -> dict[str, Any]:
    person = child.person
    return {
        "person_id": str(child.pk),
        "household_id": f"child-{child.pk}",
        "region_code": child.division_code,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "relation": person.relation,
        "disability_category": child.disability_category,
        "disability_grade": int(child.disability_grade or 0),
        "guardian_missing": child.guardian_missing,
        "student": child.in_school,
        "father_situation": RULE_WORDS[Situation(father.situation)] if father else None,
        "mother_situation": RULE_WORDS[Situation(mother.situation)] if mother else None,
        "father_since": father.since if father else None,
        "mother_since": mother.since if mother else None,
        "family_assisted": assisted,
    }


_SCHEMA = {
    "person_id": pl.String(),
    "household_id": pl.String(),
    "region_code": pl.String(),
    "birth_date": pl.Date(),
    "sex": pl.String(),
    "relation": pl.String(),
    "disability_category": pl.String(),
    "disability_grade": pl.Int8(),
    "guardian_missing": pl.Boolean(),
    "student": pl.Boolean(),
    "father_situation": pl.String(),
    "mother_situation": pl.String(),
    "father_since": pl.Date(),
    "mother_since": pl.Date(),
    "family_assisted": pl.Boolean(),
}


def evaluate(children: list[ChildFile], as_of: dt.date) -> dict[int, Result]:
    """Run the five category policies for these children (one engine call); child pk → Result."""
    from minzheng.rules.eligibility import catalogue, decide_household
    from minzheng.rules.params_db import DbParamSource

    if not children:
        return {}
    by_child = situations_of(children)
    assisted = assisted_of(children)
    basis: dict[int, str] = {}
    rows = []
    for child in children:
        parents = by_child.get(child.pk, {})
        father, mother = current(parents.get("father", []), as_of), current(parents.get("mother", []), as_of)
        rows.append(person_row(child, father, mother, child.person_id in assisted))
        basis[child.pk] = facts_text(father, mother)
    persons = pl.DataFrame(rows, schema=_SCHEMA, orient="row")
    households = persons.select("household_id", "region_code")
    from minzheng.rules.inputs_db import EngineInputs

    inputs = EngineInputs(persons=persons, households=households, verified=set())
    wanted = {policy: cid for cid, (policy, _) in CATEGORIES.items()}
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    for d in decide_household(inputs, as_of, source=DbParamSource()):
        if d.policy_id in wanted and d.person_id:
            found[int(d.person_id)][wanted[d.policy_id]] = d
    cat = catalogue()
    return {c.pk: _result(cat, found.get(c.pk, {}), basis[c.pk]) for c in children}


def facts_text(father: ParentSituation | None, mother: ParentSituation | None) -> str:
    """父亲失联（2026-04-28 起）；母亲死亡（2015-01-01 起） — what the decision rests on."""
    parts = []
    for label, row in (("父亲", father), ("母亲", mother)):
        if row is None:
            parts.append(f"{label}情形未登记")
        else:
            parts.append(f"{label}{row.get_situation_display()}（{row.since} 起，{row.get_source_display()}）")
    return "；".join(parts)


def _result(cat: Any, decisions: dict[str, Any], basis: str) -> Result:
    categories, pending, explanation = [], [], []
    for cid, (policy_id, label) in CATEGORIES.items():
        d = decisions.get(cid)
        status, text = _status(cat.policies[policy_id], d) if d else (STATUS_PENDING, "待核对：未能判定")
        if status == STATUS_YES:
            text = f"{text}。依据：{basis}"
            categories.append(cid)
        elif status == STATUS_PENDING:
            pending.append(cid)
        explanation.append({"category": cid, "label": label, "status": status, "text": text})
    return Result(categories, pending, explanation)


def _status(policy: Any, d: Any) -> tuple[str, str]:
    from minzheng.rules.eligibility import reason_text

    main = policy.eligibility.children[0].label if policy.eligibility.children else policy.name
    failed = list(d.failed_conditions or [])
    if d.eligible:
        return STATUS_YES, f"符合：{main}（{policy.name}，按规则判定）"
    if d.eligible is False and failed == ["configured"]:
        # 监护缺失 is found; only the local 扶助金 is not set up: the child is still on the care list.
        return STATUS_YES, f"符合：{main}（当地未建立{policy.name}制度，列入关爱名单，不发放扶助金）"
    if d.eligible is None:
        words = [MISSING_WORDS.get(m, m) for m in d.missing]
        return STATUS_PENDING, "待核对：缺少" + "、".join(words or ["判定所需数据"])
    return STATUS_NO, reason_text(policy, False, 0, failed, d.excluded_by)


@transaction.atomic
def recompute(children: Iterable[ChildFile], as_of: dt.date | None = None) -> int:
    """Store each child's categories (ChildCategory) and keep this app's registry tags in step."""
    as_of = as_of or timezone.localdate()
    items = list(children)
    results = evaluate(items, as_of)
    for child in items:
        r = results[child.pk]
        ChildCategory.objects.update_or_create(
            child=child,
            defaults={
                "division_code": child.division_code,
                "categories": r.categories,
                "pending": r.pending,
                "explanation": r.explanation,
                "as_of": as_of,
                "computed_at": timezone.now(),
            },
        )
        _sync_tags(child.person_id, r)
    return len(items)


def recompute_all(as_of: dt.date | None = None) -> dict[str, int]:
    """Scheduler (daily): ages change, 失联 reaches 6 months, school years end."""
    done = 0
    qs = ChildFile.objects.select_related("person").order_by("pk")
    ids = list(qs.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        done += recompute(qs.filter(pk__in=ids[start : start + 500]), as_of)
    return {"children": done}


def _sync_tags(person_id: int, r: Result) -> None:
    have = set(PersonTag.objects.filter(person_id=person_id, kind__in=OWN_TAGS.values()).values_list("kind", flat=True))
    add = {OWN_TAGS[c] for c in OWN_TAGS if c in r.categories} - have
    # A pending category keeps its tag: unknown is not "no".
    drop = {OWN_TAGS[c] for c in OWN_TAGS if c not in r.categories and c not in r.pending} & have
    if not add and not drop:
        return
    PersonTag.objects.filter(person_id=person_id, kind__in=drop).delete()
    PersonTag.objects.bulk_create([PersonTag(person_id=person_id, kind=k) for k in sorted(add)])
    rows = PersonTag.objects.filter(person_id=person_id).values_list("kind", "category", "grade")
    text = vocab.tags_text(sorted((vocab.Tag(k, c, g) for k, c, g in rows), key=lambda t: t.kind))
    old = Person.objects.filter(pk=person_id).values_list("tags_text", flat=True).first() or ""
    if old != text:
        Person.objects.filter(pk=person_id).update(tags_text=text, updated_at=timezone.now())
        ChangeRecord.objects.create(
            person_id=person_id, field="人员标签", old_value=old, new_value=text, source="儿童档案类别"
        )
