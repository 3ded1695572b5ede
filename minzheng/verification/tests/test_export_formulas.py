"""Formula injection: planted text comes out of the 核对工作清单, the 核对报告 XLSX and feed rejects inert."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from minzheng.core.tests.test_sheets import FORMULAS, assert_inert_xlsx
from minzheng.registry.models import Person
from minzheng.testing import VILLAGE_A, Cast, make_household
from minzheng.verification.engine.store import FeedStore
from minzheng.verification.items import sync_new
from minzheng.verification.models import BatchRun, VerificationReport, WorklistItem
from minzheng.verification.tests.feeds_fixtures import ID_A, write_csv
from minzheng.verification.tests.test_household import HEAD
from minzheng.verification.tests.test_ingest import VEHICLE, ingest
from minzheng.verification.tests.test_report_views import household, login, verify  # noqa: F401
from minzheng.verification.worklist_export import worklist_export
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import item_resolve


def typed(payload: str) -> str:
    """What a form keeps of a typed value: surrounding whitespace is trimmed."""
    return payload.strip()


@pytest.mark.parametrize("payload", FORMULAS)
def test_worklist_export_writes_planted_text_as_text(cast: Cast, payload: str) -> None:
    home, people = make_household()
    Person.objects.filter(pk=people[0].pk).update(name=payload)
    run = BatchRun.objects.create(as_of=dt.date(2026, 12, 1), status=BatchRun.Status.DONE)
    row = WorklistItem.objects.create(
        run=run,
        kind=WorklistItem.Kind.NEW_VEHICLE,
        household=home,
        person=Person.objects.get(pk=people[0].pk),
        division_code=VILLAGE_A,
        detail=payload,
        fingerprint="f" * 64,
    )
    sync_new(run, [row])
    item_resolve(WorkItem.objects.get(), actor=cast.town_officer, resolution=payload)
    path = worklist_export(actor=cast.town_officer, items=WorkItem.objects.all(), filters={})
    row = openpyxl.load_workbook(path).active[2]
    for cell in (row[3], row[5]):  # 姓名, 说明
        assert_inert_xlsx(cell, payload)
    # 处理说明 is typed, so trimmed: "\tX" arrives as the harmless "X"; the rest keep the apostrophe.
    if typed(payload) == payload:
        assert_inert_xlsx(row[10], payload)
    else:
        assert row[10].value == typed(payload)
    assert row[4].value == "3302**********4412" and row[4].data_type == "s"


@pytest.mark.parametrize("payload", FORMULAS)
def test_report_xlsx_writes_planted_text_as_text(
    cast: Cast,
    household: Any,  # noqa: F811
    payload: str,
) -> None:
    Person.objects.filter(household=household, id_number=HEAD).update(name=payload)
    client = login(cast.county_approver)
    verify(client, household, ref=payload + "号")
    report = VerificationReport.objects.get()
    xlsx = client.get(reverse("verification:report_download", args=[report.pk, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    summary = book["核对报告"]
    assert summary["A8"].value == "核对授权书编号" and summary["A8"].font.b
    # The form trims a typed reference, so "\tX号" arrives as the harmless "X号"; the rest keep the apostrophe.
    assert summary["B8"].value == ("'" + payload if typed(payload) == payload else typed(payload)) + "号"
    members = book["家庭成员"]
    head = next(row for row in members.iter_rows(min_row=2) if row[2].value == HEAD)
    assert_inert_xlsx(head[0], payload)
    assert head[2].data_type == "s"  # identity numbers stay text
    found = [row for row in book["核对发现"].iter_rows(min_row=2) if row[1].value == HEAD]
    assert found and all(row[0].data_type == "s" and row[0].value.startswith("'") for row in found)


@pytest.mark.parametrize("payload", FORMULAS)
def test_feed_rejects_file_writes_planted_cells_and_headers_as_text(tmp_path: Path, payload: str) -> None:
    headers = [*VEHICLE, payload]  # a department's extra column, kept in the rejects file
    rows = [[ID_A, payload, "浙B1", "小型轿车", "去年", "-5", payload]]
    result = ingest("vehicle", write_csv(tmp_path / "v.csv", headers, rows), FeedStore(tmp_path / "store"))
    assert result.rejected == 1
    raw = Path(result.rejects_file).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, bad = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert header[0] == "行号" and header[-2] == "'" + payload and header[-1] == "错误原因"
    assert bad[0] == "2"  # the row number is written as a plain number
    assert bad[2] == "'" + payload and bad[-2] == "'" + payload  # 姓名 and the extra column
    assert bad[6] == "'-5"  # typed text "-5" in a feed is neutralised too (it is not a number we wrote)
