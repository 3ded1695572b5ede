"""The registry's benefit tags (低保对象, 低保边缘, 特困人员, 孤儿, 事实无人抚养儿童) become entitlements.

Each tag (a household's tags for a household programme, once per household) becomes one entitlement:
source "migrated", from the month after the migration (the old system paid up to this month; no arrears
are invented for the years the tag existed), amount unknown: 暂停 with 0 and the note 金额待核对, so no
payroll pays it until staff set the amount (payments.recheck lists them as 待办). One history row each.
Historical models only (a later schema change must not break this step); idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import migrations
from django.utils import timezone

# tag kind → (programme, per household, paid to the guardian); as in payments/data/programmes.yaml
PROGRAMMES = {
    "dibao": ("dibao", True, False),
    "dibao_edge": ("dibao_edge", True, False),
    "tekun": ("tekun", False, False),
    "orphan": ("orphan", False, True),
    "unsupported_child": ("unsupported_child", False, True),
}
LABELS = {
    "dibao": "低保对象",
    "dibao_edge": "低保边缘",
    "tekun": "特困人员",
    "orphan": "孤儿",
    "unsupported_child": "事实无人抚养儿童",
}
HEAD = "02"


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _payee(person: Any, members: list[Any], guardian: bool, on: dt.date) -> tuple[Any, str]:
    if not guardian and _age(person.birth_date, on) >= 18:
        return person, ""
    others = [m for m in members if m.pk != person.pk and _age(m.birth_date, on) >= 18]
    others.sort(key=lambda m: (m.relation != HEAD, m.birth_date, m.pk))
    if others:
        return others[0], f"收款人为监护人 {others[0].name}"
    return person, "未登记同户成年监护人，收款人暂为本人，请登记监护人及其账户"


def migrate(apps: Any, schema_editor: Any = None, *, on: dt.date | None = None) -> int:
    Entitlement = apps.get_model("payments", "Entitlement")
    EntitlementChange = apps.get_model("payments", "EntitlementChange")
    PersonTag = apps.get_model("registry", "PersonTag")
    Person = apps.get_model("registry", "Person")
    on = on or timezone.localdate()
    month = _next_month(on)
    subjects: dict[tuple[str, str, int], str] = {}
    for pid, hid, kind in PersonTag.objects.filter(kind__in=list(PROGRAMMES)).values_list(
        "person_id", "person__household_id", "kind"
    ):
        prog, per_household, _ = PROGRAMMES[kind]
        subjects[(prog, "household", hid) if per_household else (prog, "person", pid)] = kind
    seen = {
        (p, "household", h) if h else (p, "person", q)
        for p, h, q in Entitlement.objects.values_list("programme", "household_id", "person_id")
    }  # any entitlement, live or ended: an ended one is never revived from an old tag
    households = {key[2] if key[1] == "household" else None for key in subjects if key not in seen}
    person_ids = {key[2] for key in subjects if key[1] == "person" and key not in seen}
    persons = Person.objects.filter(pk__in=person_ids) | Person.objects.filter(household_id__in=households - {None})
    members: dict[int, list[Any]] = defaultdict(list)
    by_pk = {}
    for p in Person.objects.filter(household_id__in={x.household_id for x in persons}).order_by("pk"):
        members[p.household_id].append(p)
        by_pk[p.pk] = p
    created = 0
    for (prog, kind, subject_id), tag in sorted(subjects.items()):
        if (prog, kind, subject_id) in seen:
            continue
        guardian = PROGRAMMES[tag][2]
        if kind == "household":
            people = members.get(subject_id) or []
            if not people:
                continue
            head = next((m for m in people if m.relation == HEAD), people[0])
            payee, note, size = head, "", len(people)
            division = head.division_code
        else:
            person = by_pk[subject_id]
            payee, note = _payee(person, members[person.household_id], guardian, on)
            size, division = 1, person.division_code
        reason = f"由旧标签“{LABELS[tag]}”迁移（平台自{month:%Y年%m月}起接续发放；金额待核对，核定前不发放）"
        if note:
            reason += f"；{note}"
        ent = Entitlement.objects.create(
            programme=prog,
            household_id=subject_id if kind == "household" else None,
            person_id=subject_id if kind == "person" else None,
            payee=payee,
            division_code=division,
            members=size,
            amount_fen=0,
            from_month=month,
            status="suspended",
            suspended_from=month,
            source="migrated",
            decision=f"金额待核对；{reason}"[:300],
        )
        EntitlementChange.objects.create(
            entitlement=ent, kind="created", effective_month=month, new_amount_fen=0, reason=reason[:300], version=1
        )
        created += 1
    return created


def _forward(apps: Any, schema_editor: Any) -> None:
    migrate(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_stops_overpayment_fine"),
        ("registry", "0002_person_division_index"),
    ]

    operations = [migrations.RunPython(_forward, migrations.RunPython.noop)]
