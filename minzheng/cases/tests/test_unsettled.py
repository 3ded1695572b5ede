"""Issue 10, item 1: a deadline in a year the holiday table does not cover is marked 未核定 on every page.

The stage's own deadline (本环节期限) is counted in working days like the whole procedure's, so it is
marked too, on the case page and in the case list.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from minzheng.cases import services
from minzheng.cases.models import Case
from minzheng.testing import Cast, make_household
from minzheng.workdays import selectors as workdays
from minzheng.workdays.models import CalendarYear

pytestmark = pytest.mark.django_db
UNSETTLED = "未核定"


def _stat(html: str, label: str) -> str:
    found = re.search(rf'<div class="stat"><span>{label}</span>.*?</div>', html, re.S)
    assert found, label
    return found.group(0)


def _cell(html: str, label: str) -> str:
    found = re.search(rf'<td data-label="{label}">.*?</td>', html, re.S)
    assert found, label
    return found.group(0)


def test_stage_deadline_in_a_year_without_holidays_is_marked_unsettled(cast: Cast) -> None:
    household, _ = make_household()
    opening = services.Opening(
        case_type="dibao",
        household=household,
        received_on=timezone.localdate() - dt.timedelta(days=2),
        authorisation_no="SQ-1",
    )
    case: Case = services.case_open(opening, actor=cast.town_officer)
    assert case.stage_due_on is not None
    client = Client()
    client.force_login(cast.town_officer)

    workdays.invalidate()
    page = client.get(f"/cases/{case.case_no}/").content.decode()
    listed = client.get("/cases/", {"tab": "all"}).content.decode()
    if workdays.settled(case.received_on, case.stage_due_on):
        assert UNSETTLED not in _stat(page, "本环节期限") and UNSETTLED not in _cell(listed, "本环节期限")

    # The year the stage deadline falls in is no longer settled (as if its notice had not been imported).
    CalendarYear.objects.filter(year=case.stage_due_on.year).delete()
    workdays.invalidate()
    try:
        page = client.get(f"/cases/{case.case_no}/").content.decode()
        listed = client.get("/cases/", {"tab": "all"}).content.decode()
    finally:
        workdays.invalidate()
    assert UNSETTLED in _stat(page, "本环节期限")
    assert UNSETTLED in _cell(listed, "本环节期限")
