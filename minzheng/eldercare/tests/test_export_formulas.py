"""Formula injection: a planted elder's or caregiver's name comes out of the monthly statement inert."""

from __future__ import annotations

import datetime as dt
from typing import Any

import openpyxl
import pytest

from minzheng.core.tests.test_sheets import FORMULAS, assert_inert_xlsx, assert_number
from minzheng.eldercare import services
from minzheng.eldercare.exports import statement_export
from minzheng.eldercare.models import Caregiver
from minzheng.eldercare.testing import CareWorld
from minzheng.eldercare.tests.test_money import _visited
from minzheng.registry.models import Person


@pytest.mark.parametrize("payload", FORMULAS)
def test_statement_export_writes_planted_names_as_text(cast: Any, care: CareWorld, payload: str) -> None:
    order = _visited(cast, care, 3, ["SC01"])
    Person.objects.filter(pk=care.elder.person_id).update(name=payload)
    Caregiver.objects.filter(pk=order.caregiver_id).update(name=payload + "护")
    statement = services.statement_build(actor=cast.provider, provider=care.provider, month=dt.date(2026, 11, 1))
    sheet = openpyxl.load_workbook(statement_export(actor=cast.county_approver, statement=statement)).active
    assert [c.value for c in sheet[2]][:3] == ["订单号", "服务日期", "服务对象"]
    row = sheet[3]
    assert_inert_xlsx(row[2], payload)  # 服务对象
    assert_inert_xlsx(row[4], payload + "护")  # 护理员
    assert_number(row[0], order.pk)  # 订单号 and 时长 stay numbers
    assert_number(row[6], order.minutes)
    assert row[7].value == "40.00" and sheet.cell(4, 1).value == "合计"  # 元 as exact text, as before
