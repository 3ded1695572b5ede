"""Two approvers confirming the same case at the same moment: exactly one succeeds (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from minzheng.accounts.services import user_create
from minzheng.cases import services
from minzheng.cases.models import Case
from minzheng.testing import PASSWORD, Cast, make_household
from minzheng.workflow.models import TransitionLog
from minzheng.workflow.services import TransitionRefused

pytestmark = pytest.mark.django_db(transaction=True)


def _ago(n: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


def _publicised_case(cast: Cast) -> Case:
    from minzheng.workdays.services import seed_from_chinese_calendar

    seed_from_chinese_calendar()  # a transactional test starts from an empty holiday table
    household, _ = make_household()
    case = services.case_open(
        services.Opening("dibao", household, timezone.localdate() - dt.timedelta(days=20), "SQ-1"),
        actor=cast.town_officer,
    )
    survey = {"visited_on": _ago(18), "visitors": ["王村", "李镇"], "findings": "无收入"}
    services.case_transition(case, "investigated", actor=cast.village_worker, data={"survey": survey, "on": _ago(18)})
    services.case_transition(case, "reviewed", actor=cast.town_officer, reason="同意", data={"on": _ago(16)})
    services.case_transition(case, "publicised", actor=cast.town_officer, data={"on": _ago(15)})
    return case


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite: see the file-database test below")
def test_two_approvers_confirm_at_once_exactly_one_wins(cast: Cast) -> None:
    case = _publicised_case(cast)
    second = user_create(
        actor=None, username="qianxian", role="county_approver", jurisdiction="330212", password=PASSWORD
    )
    barrier = threading.Barrier(2)
    wins: list[str] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def confirm(user: object) -> None:
        try:
            mine = Case.objects.get(pk=case.pk)  # each approver loaded the case before either acted
            barrier.wait()
            services.case_transition(
                mine, "confirmed", actor=user, reason="同意", data={"override_reason": "入户调查确认"}
            )
            wins.append(user.username)  # type: ignore[attr-defined]
        except TransitionRefused as exc:
            refusals.append(str(exc))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(u,)) for u in (cast.county_approver, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(wins) == 1 and len(refusals) == 1
    assert "本件已被他人处理" in refusals[0] or "当前为「审核确认」" in refusals[0]
    case.refresh_from_db()
    assert case.status == "confirmed"
    assert TransitionLog.objects.filter(object_id=str(case.pk), target="confirmed").count() == 1
    assert case.letters.filter(kind="approved").count() == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL: see the in-process test above")
def test_two_approvers_race_on_a_sqlite_file_database(tmp_path: Path) -> None:
    """The installation's default: a SQLite file, WAL, IMMEDIATE transactions; the loser waits, then is refused."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "MINZHENG_DATA_DIR": str(tmp_path),
        "MINZHENG_FEED_DIGEST_KEY": "race-test-key",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # A guard against a hang, not a speed check: the child migrates a fresh database first, which took
    # 152 s on a two-core machine at load 15 and more than 300 s while both CI suites ran alongside it.
    done = subprocess.run(
        [sys.executable, "-m", "minzheng.cases.tests.race"], env=env, capture_output=True, text=True, timeout=1200
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert (result["wins"], len(result["refusals"]), result["status"], result["logs"]) == (1, 1, "confirmed", 1)
    assert "本件已被他人处理" in result["refusals"][0] or "当前为「审核确认」" in result["refusals"][0]
