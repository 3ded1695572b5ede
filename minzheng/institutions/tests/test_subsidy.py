"""The monthly operating subsidy, to the fen by care level, decided by the rules policy; four eyes."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.accounts.services import user_create
from minzheng.institutions import services, subsidy
from minzheng.institutions.models import Institution, SubsidyLine
from minzheng.institutions.tests.conftest import elder
from minzheng.testing import COUNTY, PASSWORD

D = dt.date


def _admit(inst: Institution, level: int, on: D) -> services.Resident:
    data = services.Admission(person=elder(), admitted_on=on, care_level=level, level_assessed_on=on)
    return services.admit(inst, data, actor=None)


def test_subsidy_to_the_fen_by_care_level(inst: Institution, cast: object) -> None:
    # 鄞州区 (shipped demo values): 100 / 150 / 200 / 300 / 400 元 per bed-month by level 0–4; March has 31 days.
    _admit(inst, 3, D(2025, 2, 1))  # whole month: 300.00
    _admit(inst, 2, D(2025, 3, 22))  # 10 days: 200 × 10/31 = 64.516… → 64.52
    _admit(inst, 0, D(2025, 3, 1))  # whole month: 100.00
    leaving = _admit(inst, 4, D(2025, 1, 5))
    services.discharge(leaving, on=D(2025, 3, 16), reason="died", actor=None)  # 15 days: 400 × 15/31 → 193.55
    _admit(inst, 1, D(2025, 4, 2))  # April: not in March's sheet
    sheet = subsidy.build(inst, D(2025, 3, 1), actor=cast.county_approver)  # type: ignore[attr-defined]
    by_level = {line.care_level: (line.days, line.amount_fen) for line in sheet.lines.all()}
    assert by_level == {3: (31, 30_000), 2: (10, 6_452), 0: (31, 10_000), 4: (15, 19_355)}
    assert (sheet.total_fen, sheet.residents, sheet.pending) == (65_807, 4, 0)
    assert "在院 10/31 天" in sheet.lines.get(care_level=2).explanation


def test_public_institution_and_unset_standard_are_not_paid(inst: Institution, cast: object) -> None:
    Institution.objects.filter(pk=inst.pk).update(kind="public")
    inst.refresh_from_db()
    _admit(inst, 3, D(2025, 3, 1))
    sheet = subsidy.build(inst, D(2025, 3, 1), actor=cast.county_approver)  # type: ignore[attr-defined]
    line = sheet.lines.get()
    assert (line.outcome, line.amount_fen) == (SubsidyLine.Outcome.NO, 0)
    assert "社会办" in line.explanation


def test_the_builder_cannot_approve_and_an_approved_month_is_final(inst: Institution, cast: object) -> None:
    _admit(inst, 3, D(2025, 3, 1))
    maker = cast.county_approver  # type: ignore[attr-defined]
    sheet = subsidy.build(inst, D(2025, 3, 1), actor=maker)
    with pytest.raises(subsidy.SubsidyError, match="四眼原则"):
        subsidy.approve(sheet, actor=maker)
    checker = user_create(actor=None, username="shenhe", role="county_approver", jurisdiction=COUNTY,
                          password=PASSWORD, display_name="审核员")  # fmt: skip
    subsidy.approve(sheet, actor=checker)
    assert sheet.status == "approved"
    with pytest.raises(subsidy.SubsidyError, match="已审核"):
        subsidy.build(inst, D(2025, 3, 1), actor=maker)
