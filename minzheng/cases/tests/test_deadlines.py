"""After a holiday-table change, open cases' deadlines are recounted (and their 待办 with them); closed ones are not."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from minzheng.cases import services
from minzheng.cases.deadlines import deadlines_recompute
from minzheng.cases.models import Case
from minzheng.registry.services import household_create
from minzheng.testing import VILLAGE_A, Cast, make_household
from minzheng.workdays.selectors import add_working_days
from minzheng.workdays.services import holidays_import
from minzheng.workitems.models import WorkItem

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def _cases(cast: Cast) -> tuple[Case, Case]:
    """An open case at 入户调查 (stage entered 3 days ago) and a withdrawn one, both received 6 days ago."""
    household, _ = make_household()
    opened = services.case_open(services.Opening("dibao", household, _ago(6), "SQ-1"), actor=cast.town_officer)
    survey = {"visited_on": _ago(3).isoformat(), "visitors": ["王村", "李镇"], "findings": "无收入"}
    services.case_transition(
        opened, "investigated", actor=cast.village_worker, data={"survey": survey, "on": _ago(3).isoformat()}
    )
    other = household_create(actor=None, household_no="HQ-0002", division_code=VILLAGE_A)
    closed = services.case_open(services.Opening("dibao", other, _ago(6), "SQ-2"), actor=cast.town_officer)
    services.case_transition(closed, "withdrawn", actor=cast.town_officer, reason="撤回")
    return opened, closed


def _holiday_file(tmp_path: Path) -> Path:
    """The next working day after today becomes a 休 day: every deadline ahead moves one working day later."""
    day = add_working_days(TODAY, 1)
    path = tmp_path / "补充通知.csv"
    path.write_text(f"日期,类型,名称\n{day.isoformat()},休,临时调整\n", encoding="utf-8")
    return path


def test_recompute_moves_open_deadlines_and_items_once(cast: Cast, tmp_path: Path) -> None:
    case, closed = _cases(cast)
    before = (case.stage_due_on, case.due_on)
    closed_before = Case.objects.filter(pk=closed.pk).values_list("due_on", "stage_due_on").get()
    holidays_import(path=_holiday_file(tmp_path), actor=None)
    # The import alone leaves stored deadlines as they were counted.
    assert Case.objects.filter(pk=case.pk).values_list("stage_due_on", "due_on").get() == before
    result = deadlines_recompute()
    case.refresh_from_db()
    assert case.stage_due_on == add_working_days(_ago(3), 5) and case.stage_due_on > before[0]
    assert case.due_on == add_working_days(_ago(6), 30) and case.due_on > before[1]
    item = WorkItem.objects.get(fingerprint=f"case:{case.pk}:investigated")
    assert item.due_on == case.stage_due_on
    assert Case.objects.filter(pk=closed.pk).values_list("due_on", "stage_due_on").get() == closed_before
    assert (result.cases, result.changed, result.items) == (1, 1, 1)
    again = deadlines_recompute(chunk=1)
    assert (again.cases, again.changed, again.items) == (1, 0, 0)  # idempotent


def test_recompute_works_in_chunks(cast: Cast, tmp_path: Path) -> None:
    for k in range(3):
        household = household_create(actor=None, household_no=f"HQ-1{k}", division_code=VILLAGE_A)
        services.case_open(services.Opening("dibao", household, _ago(k + 1), f"SQ-{k}"), actor=cast.town_officer)
    holidays_import(path=_holiday_file(tmp_path), actor=None)
    result = deadlines_recompute(chunk=2)
    assert (result.cases, result.changed, result.items) == (3, 3, 3)
    for case in Case.objects.all():
        assert case.stage_due_on == add_working_days(case.received_on, 10)
        assert case.due_on == add_working_days(case.received_on, 30)


def test_the_holidays_import_command_recounts_deadlines(cast: Cast, tmp_path: Path) -> None:
    from minzheng.cli import app
    from minzheng.cli_extra import _workdays_cli  # noqa: F401

    case, _ = _cases(cast)
    out = CliRunner().invoke(app, ["holidays", "import", str(_holiday_file(tmp_path)), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["follow_ups"][0]["changed"] == 1
    case.refresh_from_db()
    assert case.due_on == add_working_days(_ago(6), 30)


def test_the_holiday_page_recounts_in_a_background_job(cast: Cast, tmp_path: Path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from minzheng.jobs.models import Job

    case, _ = _cases(cast)
    client = Client()
    client.force_login(cast.sysadmin)
    upload = SimpleUploadedFile("h.csv", _holiday_file(tmp_path).read_bytes())
    page = client.post("/workdays/import/", {"file": upload}, follow=True).content.decode()
    job = Job.objects.get(kind="cases.deadlines_recompute")
    assert f"任务 {job.pk}" in page and job.status == Job.Status.DONE  # tests run jobs inline
    case.refresh_from_db()
    assert case.due_on == add_working_days(_ago(6), 30)
