"""Formula injection: a planted name comes out of the registry export and the import's rejects file inert."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from minzheng.core.tests.test_sheets import FORMULAS, assert_inert_xlsx, assert_number
from minzheng.registry.exports import persons_export
from minzheng.registry.importing import residents_import
from minzheng.registry.models import Person
from minzheng.testing import Cast, make_household


@pytest.mark.parametrize("payload", FORMULAS)
def test_registry_export_writes_a_planted_name_as_text(cast: Cast, payload: str) -> None:
    _, people = make_household(household_no="HQABC")
    Person.objects.filter(pk=people[0].pk).update(name=payload)  # as a careless or hostile import would leave it
    path = persons_export(actor=cast.town_officer, q="HQABC")
    sheet = openpyxl.load_workbook(path).active
    planted = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == 48)  # 张建国, born 1978
    assert_inert_xlsx(planted[0], payload)
    assert_number(planted[2], 48)  # 年龄 stays a number
    assert [c.value for c in sheet[1]][:2] == ["姓名", "性别"]


@pytest.mark.parametrize("payload", FORMULAS)
def test_import_rejects_file_writes_a_planted_name_as_text(cast: Cast, tmp_path: Path, payload: str) -> None:
    source = tmp_path / "居民.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["姓名", "公民身份号码", "户编号", "与户主关系", "现住址区划代码"])
        writer.writerow([payload, "330212197803154411", "H1", "户主", "330212100201"])  # wrong check digit
    result = residents_import(path=source, actor=cast.village_worker)
    assert result.rejected == 1
    text = Path(result.rejects_file).read_bytes().decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    assert header[:2] == ["行号", "姓名"] and row[0] == "2"  # the row number is written as a plain number
    # The reader trims a cell's surrounding whitespace, so a leading tab or CR never reaches the file.
    assert row[1] == ("'" + payload if payload.strip() == payload else payload.strip())
    assert row[2:6] == ["330212197803154411", "H1", "户主", "330212100201"]
