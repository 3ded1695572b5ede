"""Formula injection: a planted name comes out of the 应享未享 worklist export inert; amounts stay numbers."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from minzheng.core.tests.test_sheets import FORMULAS, assert_inert_xlsx, assert_number
from minzheng.registry.models import Person
from minzheng.rules.exports import worklist_export
from minzheng.rules.items import sync_county
from minzheng.rules.models import EligibilityRun, WorklistItem
from minzheng.testing import VILLAGE_A, Cast, make_household


@pytest.mark.parametrize("payload", FORMULAS)
def test_worklist_export_writes_a_planted_name_as_text(cast: Cast, payload: str) -> None:
    household, people = make_household()
    Person.objects.filter(pk=people[0].pk).update(name=payload)
    run = EligibilityRun.objects.create(as_of=dt.date(2026, 7, 1), status=EligibilityRun.Status.DONE)
    common = {"run": run, "household": household, "person": people[0], "entity": "person"}
    common |= {"division_code": VILLAGE_A, "policy_id": "dibao", "policy_name": "最低生活保障"}
    rows = [
        WorklistItem.objects.create(kind="undue", amount_fen=-118_100, reason="名下有小型轿车", **common),
        WorklistItem.objects.create(kind="missing", amount_fen=118_150, reason=payload, **common),
    ]
    sync_county(run, "330212", rows)
    sheet = openpyxl.load_workbook(worklist_export(actor=cast.town_officer, filters={})).active
    assert [c.value for c in sheet[1]][4:8] == ["姓名", "公民身份号码（脱敏）", "判定金额（元）", "判定理由"]
    missing, undue = sheet[2], sheet[3]  # ordered by kind
    for row in (missing, undue):
        assert_inert_xlsx(row[4], payload)
    assert_inert_xlsx(missing[7], payload)
    assert_number(undue[6], -1181) and assert_number(missing[6], 1181.5)  # a negative amount is a number
    assert undue[6].number_format == "0.00"
