"""The investigation comes with the household's 一键核对 report, issued under the case's 核对授权书."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from minzheng.cases import services
from minzheng.cases.models import Material
from minzheng.demo.feedrows import DIGEST_KEY
from minzheng.testing import Cast, make_household
from minzheng.verification.models import VerificationReport
from minzheng.verification.tests.test_household import ingest_family

pytestmark = pytest.mark.django_db


def test_investigation_issues_the_verification_report_and_ticks_the_income_proof(
    cast: Cast, settings: Any, tmp_path: Path
) -> None:
    settings.FEED_DIGEST_KEY = DIGEST_KEY.decode()
    ingest_family(Path(settings.FEEDS_DIR) / "store", tmp_path / "files")
    household, _ = make_household()
    today = timezone.localdate()
    case = services.case_open(
        services.Opening("dibao", household, today - dt.timedelta(days=3), "SQ-2026-0042"), actor=cast.town_officer
    )
    assert case.materials.get(key="income").status == Material.Status.MISSING
    survey = {
        "visited_on": (today - dt.timedelta(days=1)).isoformat(),
        "visitors": ["王村", "李镇"],
        "findings": "住房一套",
    }
    services.case_transition(case, "investigated", actor=cast.village_worker, data={"survey": survey})
    report = VerificationReport.objects.get(household=household)
    assert report.authorisation_ref == "SQ-2026-0042"
    income = case.materials.get(key="income")
    assert income.status == Material.Status.FETCHED and report.report_no in income.note
