"""儿童福利 in the demo county (called by minzheng.demo.build after payments, before childvisits).

One file per registered child under 18 (and 18–21 orphans), with parents' situations consistent
with the registry and the department feeds:

- a parent in the same 户 is 在家 (走访); the feeds override: on the prison list → 服刑 (部门数据),
  a death → 死亡 (部门数据);
- grandchildren raised by grandparents (the generator's 留守儿童 households): both parents 外出务工;
  a 孤儿: both parents 死亡 (死亡证明); a 事实无人抚养儿童: father 服刑 (判决书), mother 失联 8 months;
- one child whose father has been 失联 for 7 months (mother 死亡), and — when the prison feed names a
  parent — that child's other parent absent makes a 事实无人抚养 case straight from the feed;
- school from the student feed, disability from the registry tags, guardians (grandparent or parent).

Rows are written in bulk (like a first load of paper files) with one audit row, then the rules engine
decides every child's categories in one pass, and the newest batch results are read for parents.
Idempotent: skipped when child files exist.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pyarrow as pa

from minzheng.audit.services import audit_record
from minzheng.children import categories, feeds
from minzheng.children.models import ChildFile, Guardian, ParentSituation, Situation, Source
from minzheng.core.dates import add_months
from minzheng.core.jurisdiction import prefix_q
from minzheng.registry.models import Person, PersonTag

PARENTS_OF = {"20": ("02", "10"), "30": ("02", "10"), "40": ("20", "30", "28", "38")}
GRADES = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}


def demo_extend(built: Any, step: Any) -> None:
    step("儿童福利：儿童档案（父母情形、监护人、在校）与规则判定的类别")
    if ChildFile.objects.exists():
        return
    county = next((a.jurisdiction for a in built.accounts if a.username == "xian"), "")
    as_of = built.as_of
    count = demo_child_files(county, as_of)
    audit_record(actor=None, action="import", object_type="child_file", summary=f"演示：建立儿童档案 {count} 份")
    categories.recompute_all(as_of)
    feeds.apply_parent_findings(as_of)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _children(county: str, as_of: dt.date, tags: dict[int, dict[str, str]]) -> list[Person]:
    people = Person.objects.filter(prefix_q("division_code", county)).select_related("household")
    minors = list(people.filter(birth_date__gt=_years_before(as_of, 18)).order_by("pk"))
    adults = people.filter(birth_date__gt=_years_before(as_of, 22), birth_date__lte=_years_before(as_of, 18))
    return minors + [p for p in adults.order_by("pk") if "orphan" in tags.get(p.pk, {})]


def _parents(child: Person, members: list[Person]) -> tuple[Person | None, Person | None]:
    codes = PARENTS_OF.get(child.relation, ())
    older = [m for m in members if m.relation in codes and m.birth_date <= _years_before(child.birth_date, 16)]
    father = next((m for m in older if m.sex == "M"), None)
    mother = next((m for m in older if m.sex == "F"), None)
    return father, mother


def _facts(persons: list[Person], as_of: dt.date) -> dict[str, dict[str, Any]]:
    """Per identity number: prison, died_on, student from the feeds (the rules' verification seam)."""
    from minzheng.rules.inputs_db import MEMBER_SCHEMA, verification_persons

    table = pa.Table.from_pylist(
        [
            {
                "id_number": p.id_number,
                "name": p.name,
                "household_no": p.household.household_no,
                "division_code": p.division_code,
                "birth_date": p.birth_date,
            }
            for p in persons
        ],
        schema=MEMBER_SCHEMA,
    )
    frame = verification_persons(table, as_of) if persons else None
    return {r["id_number"]: r for r in frame.to_dicts()} if frame is not None else {}


class _Builder:
    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.situations: list[ParentSituation] = []
        self.guardians: list[Guardian] = []
        self.feed_facts: list[tuple[ChildFile, str, Person, dict[str, Any]]] = []

    def situation(
        self,
        child: ChildFile,
        parent: str,
        what: str,
        since: dt.date,
        source: str,
        evidence: str,
        person: Person | None = None,
    ) -> None:
        row = ParentSituation(child=child, parent=parent, parent_person=person, situation=what, source=source)
        row.since, row.evidence = min(since, self.as_of), evidence
        self.situations.append(row)

    def guardian(self, child: ChildFile, relation: str, person: Person, since: dt.date) -> None:
        self.guardians.append(Guardian(child=child, person=person, relation=relation, since=since, is_primary=True))


def demo_child_files(county: str, as_of: dt.date) -> int:
    tags: dict[int, dict[str, str]] = defaultdict(dict)
    for pid, kind, grade in PersonTag.objects.filter(prefix_q("person__division_code", county)).values_list(
        "person_id", "kind", "grade"
    ):
        tags[pid][kind] = grade
    kids = _children(county, as_of, tags)
    members: dict[int, list[Person]] = defaultdict(list)
    for p in Person.objects.filter(household_id__in={k.household_id for k in kids}).select_related("household"):
        members[p.household_id].append(p)
    parents = {k.pk: _parents(k, members[k.household_id]) for k in kids}
    everyone = kids + [p for pair in parents.values() for p in pair if p is not None]
    facts = _facts(list({p.pk: p for p in everyone}.values()), as_of)
    files = ChildFile.objects.bulk_create([_file(k, tags[k.pk], facts.get(k.id_number, {})) for k in kids])
    b = _Builder(as_of)
    special = {"lost_contact": 0, "orphans": 0, "pending": 0, "feed_prison": 0}  # cases shown once (or twice)
    for child, kid in zip(files, kids, strict=True):
        father, mother = parents[kid.pk]
        _situations(b, child, kid, (father, mother), tags, facts, special)
        _guardian(b, child, kid, father, mother, members[kid.household_id])
    ParentSituation.objects.bulk_create(b.situations)
    Guardian.objects.bulk_create(b.guardians)
    for child, parent, person, fact in b.feed_facts:  # through the feed path: situation + 待办 per role
        feeds.apply_fact(child, parent, person, _feed_fact(person, fact, as_of))
    return len(files)


def _feed_fact(person: Person, fact: dict[str, Any], as_of: dt.date) -> tuple[str, dt.date, str, str]:
    if fact.get("died_on"):
        died = fact["died_on"]
        return Situation.DEAD, died, f"死亡医学证明、火化（部门数据）：死亡日期 {died}", f"death:{person.pk}:{died}"
    return Situation.IMPRISONED, as_of, f"服刑人员名单：核对日 {as_of} 在服刑期内", f"prison:{person.pk}:demo"


def _file(kid: Person, tags: dict[str, str], fact: dict[str, Any]) -> ChildFile:
    grade = GRADES.get(tags.get("disability", ""), 0)
    cat = (
        PersonTag.objects.filter(person=kid, kind="disability").values_list("category", flat=True).first()
        if grade
        else ""
    )
    school = bool(fact.get("student")) if fact else None
    return ChildFile(
        person=kid,
        division_code=kid.division_code,
        in_school=school,
        disability_category=cat or "",
        disability_grade=grade,
        guardian_missing=False,
    )


def _situations(
    b: _Builder,
    child: ChildFile,
    kid: Person,
    parents: tuple[Person | None, Person | None],
    tags: dict[int, dict[str, str]],
    facts: dict[str, dict[str, Any]],
    special: dict[str, int],
) -> None:
    own = tags[kid.pk]
    registered = {p: person for p, person in zip(("father", "mother"), parents, strict=True) if person is not None}
    for parent, person in registered.items():
        _registered_parent(b, child, kid, parent, person, tags, facts.get(person.id_number, {}))
    prisoner = next((p for p, person in registered.items() if facts.get(person.id_number, {}).get("prison")), None)
    absent = [p for p in ("father", "mother") if p not in registered]
    if prisoner and not special["feed_prison"]:
        special["feed_prison"] = 1  # 事实无人抚养 from the prison feed: the other parent 失联 (still registered)
        other = "mother" if prisoner == "father" else "father"
        since = add_months(b.as_of, -9)
        b.situation(child, other, Situation.LOST_CONTACT, since, Source.VISIT, "村委会失联情况说明、派出所报案回执")
    elif absent:
        _absent_parents(b, child, kid, absent, own, special)


def _registered_parent(
    b: _Builder,
    child: ChildFile,
    kid: Person,
    parent: str,
    person: Person,
    tags: dict[int, dict[str, str]],
    fact: dict[str, Any],
) -> None:
    """A parent in the registry: 在家 unless the registry or the feeds say otherwise (feeds via feeds.apply_fact)."""
    born = kid.birth_date
    if fact.get("died_on") or fact.get("prison"):
        b.feed_facts.append((child, parent, person, fact))
        b.situation(child, parent, Situation.PRESENT, born, Source.VISIT, "走访：在家履行抚养义务", person)
    elif tags[person.pk].get("disability") in ("一级", "二级"):
        b.situation(child, parent, Situation.SEVERE_DISABILITY, born, Source.DOCUMENT, "残疾人证（一级/二级）", person)
    elif "left_behind_child" in tags[kid.pk]:
        since = add_months(b.as_of, -14)
        b.situation(child, parent, Situation.AWAY_WORKING, since, Source.VISIT, "走访：外出务工", person)
    else:
        b.situation(child, parent, Situation.PRESENT, born, Source.VISIT, "走访：在家履行抚养义务", person)


def _absent_parents(
    b: _Builder, child: ChildFile, kid: Person, absent: list[str], own: dict[str, str], special: dict[str, int]
) -> None:
    born = kid.birth_date
    dead = "死亡证明（派出所出具）"
    if "orphan" in own:
        for p in absent:
            b.situation(child, p, Situation.DEAD, add_months(born, 30), Source.DOCUMENT, dead)
    elif "unsupported_child" in own:
        _unsupported(b, child, absent)
    elif "left_behind_child" not in own:
        return  # nothing known: the file shows 待核对 until the 儿童主任 visits
    elif len(absent) == 2 and not special["lost_contact"]:
        special["lost_contact"] = 1  # 失联 7 months (and 3 days), mother dead: 事实无人抚养
        since = add_months(b.as_of, -7) - dt.timedelta(days=3)
        b.situation(child, "father", Situation.LOST_CONTACT, since, Source.VISIT, "村委会失联情况说明、派出所报案回执")
        b.situation(child, "mother", Situation.DEAD, add_months(born, 12), Source.DOCUMENT, "死亡证明（医院出具）")
    elif len(absent) == 2 and special["orphans"] < 2:
        special["orphans"] += 1  # parents died: the 留守 child is in fact an orphan (the rule finds it)
        for p in absent:
            b.situation(child, p, Situation.DEAD, add_months(b.as_of, -5 - special["orphans"]), Source.DOCUMENT, dead)
    elif len(absent) == 2 and not special["pending"]:
        special["pending"] = 1  # only the father recorded: 留守 is 待核对 naming the mother
        since = add_months(b.as_of, -14)
        b.situation(child, "father", Situation.AWAY_WORKING, since, Source.VISIT, "走访：外出务工")
    else:
        for p in absent:
            b.situation(child, p, Situation.AWAY_WORKING, add_months(b.as_of, -14), Source.VISIT, "走访：外出务工")


def _unsupported(b: _Builder, child: ChildFile, absent: list[str]) -> None:
    if "father" in absent:
        since = add_months(b.as_of, -20)
        b.situation(child, "father", Situation.IMPRISONED, since, Source.DOCUMENT, "刑事判决书、监狱服刑证明")
    if "mother" in absent:
        since = add_months(b.as_of, -8)
        b.situation(child, "mother", Situation.LOST_CONTACT, since, Source.VISIT, "村委会失联情况说明、派出所报案回执")


def _guardian(
    b: _Builder, child: ChildFile, kid: Person, father: Person | None, mother: Person | None, members: list[Person]
) -> None:
    if kid.relation == "40":
        head = next((m for m in members if m.relation == "02"), None)
        if head is not None:
            b.guardian(child, Guardian.Relation.GRANDPARENT, head, kid.birth_date)
            return
    parent = mother or father
    if parent is not None:
        relation = Guardian.Relation.MOTHER if parent is mother else Guardian.Relation.FATHER
        b.guardian(child, relation, parent, kid.birth_date)
    else:
        child.guardian_missing = None  # nobody recorded: the 儿童主任 must assess
        ChildFile.objects.filter(pk=child.pk).update(guardian_missing=None)
