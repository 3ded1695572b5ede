"""Deadlines across 国庆 and 春节 with 调休 Saturdays, the import, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minzheng.audit.models import AuditEvent
from minzheng.cli import app
from minzheng.cli_extra import _workdays_cli  # noqa: F401
from minzheng.workdays.models import CalendarYear, Holiday
from minzheng.workdays.selectors import add_working_days, is_working_day, settled, working_days_between
from minzheng.workdays.services import HolidayImportError, holidays_import, seed_from_chinese_calendar

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 2025 国庆+中秋: 10-01..10-08 off, Sun 09-28 and Sat 10-11 worked (国办发明电〔2024〕12号).
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Fri → the 调休 Sunday 09-28
        (D(2025, 9, 30), 1, D(2025, 10, 9)),  # the eight days off are skipped
        (D(2025, 9, 30), 3, D(2025, 10, 11)),  # 10-09 Thu, 10-10 Fri, 10-11 调休 Saturday
        # 2026 春节: 02-15..02-23 off, Sat 02-14 and Sat 02-28 worked.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 13), 30, D(2026, 4, 2)),  # 02-14 and 02-28 count, 02-15..23 do not
        (D(2026, 12, 4), 0, D(2026, 12, 4)),
    ],
)
def test_add_working_days_counts_tiaoxiu(start: dt.date, n: int, expected: dt.date) -> None:
    assert add_working_days(start, n) == expected
    assert working_days_between(start, expected) == n


def test_tiaoxiu_saturday_is_a_working_day_and_holiday_weekday_is_not() -> None:
    assert is_working_day(D(2025, 10, 11))  # Saturday worked
    assert not is_working_day(D(2025, 10, 6))  # Monday off
    assert working_days_between(D(2026, 2, 28), D(2026, 2, 13)) == -working_days_between(D(2026, 2, 13), D(2026, 2, 28))


def test_year_outside_the_table_is_weekends_only_and_unsettled() -> None:
    # 2027's notice is not in the seed: 2027-01-01 (a Friday) counts as a working day, marked unsettled.
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert not settled(D(2026, 12, 31), D(2027, 1, 1))
    assert settled(D(2025, 9, 30), D(2025, 10, 11))


def test_seed_is_idempotent_and_keeps_corrections() -> None:
    before = Holiday.objects.count()
    Holiday.objects.filter(day=D(2026, 10, 1)).update(name="国庆节（已更正）")
    result = seed_from_chinese_calendar()
    assert result.created == 0
    assert Holiday.objects.count() == before
    assert Holiday.objects.get(day=D(2026, 10, 1)).name == "国庆节（已更正）"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "节假日.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_settles_a_year_and_moves_deadlines(tmp_path: Path) -> None:
    path = _write(tmp_path, "日期,类型,名称\n2027-01-01,休,元旦\n2027-01-04,休,元旦\n2027-01-09,班,元旦\n")
    result = holidays_import(path=path, actor=None)
    assert (result.created, result.years) == (3, [2027])
    assert CalendarYear.objects.filter(year=2027).exists()
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 5)
    assert add_working_days(D(2027, 1, 8), 1) == D(2027, 1, 9)
    assert settled(D(2026, 12, 31), D(2027, 1, 5))
    assert AuditEvent.objects.filter(object_type="holiday", action="import").count() == 1
    again = holidays_import(path=path, actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_bad_rows_are_named_and_nothing_is_written(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "日期,类型,名称\n2027-01-01,休,元旦\n2027-13-01,休,x\n2027-01-09,上班,元旦\n2027-01-01,班,重复\n"
    )
    before = Holiday.objects.count()
    with pytest.raises(HolidayImportError) as caught:
        holidays_import(path=path, actor=None)
    errors = caught.value.errors
    assert errors[0].startswith("第 3 行：日期“2027-13-01”")
    assert "第 4 行：类型“上班”应为“休”或“班”" in errors
    assert "第 5 行：日期 2027-01-01 在文件中重复" in errors
    assert Holiday.objects.count() == before
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_missing_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HolidayImportError, match="缺少必填列：类型"):
        holidays_import(path=_write(tmp_path, "日期,名称\n2027-01-01,元旦\n"), actor=None)


def test_cli_add_and_between_json() -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["workdays", "add", "2025-09-30", "3", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {"date": "2025-09-30", "n": 3, "result": "2025-10-11", "settled": True}
    out = runner.invoke(app, ["workdays", "between", "2026-12-01", "2027-01-08", "--json"])
    assert json.loads(out.output)["settled"] is False
    out = runner.invoke(app, ["workdays", "add", "2026-12-30", "2"])
    assert out.output.strip() == "2027-01-01（未核定：该年节假日安排尚未导入，按周末计算）"
    out = runner.invoke(app, ["workdays", "add", "0001-01-01", "2"])
    assert out.exit_code == 1
    assert "超出可处理的范围" in out.output


def test_holiday_page_and_import_by_an_administrator(cast: object, client: object) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.town_officer)  # type: ignore[attr-defined]
    page = client.get("/workdays/?year=2027").content.decode()  # type: ignore[attr-defined]
    assert "尚未导入" in page and "导入节假日安排" not in page
    client.force_login(cast.sysadmin)  # type: ignore[attr-defined]
    upload = SimpleUploadedFile("2027.csv", "日期,类型,名称\n2027-01-01,休,元旦\n".encode())
    answer = client.post("/workdays/import/", {"file": upload}, follow=True)  # type: ignore[attr-defined]
    assert "已核定年份：[2027]" in answer.content.decode()
    bad = SimpleUploadedFile("x.csv", "日期,类型,名称\n2027-02-30,休,x\n".encode())
    answer = client.post("/workdays/import/", {"file": bad}, follow=True)  # type: ignore[attr-defined]
    assert "第 2 行" in answer.content.decode()
