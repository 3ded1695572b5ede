"""Two payroll runs started at once give one run and one set of lines (SQLite file and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def _check(result: dict[str, object]) -> None:
    assert result["errors"] == []
    assert result["runs"] == 1 and len(result["run_ids"]) == 1  # type: ignore[arg-type]
    assert (result["lines"], result["status"], result["total_fen"]) == (3, "draft", 100000)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite: see the file-database test below")
def test_two_runs_at_once_make_one_run_on_postgresql() -> None:
    from minzheng.payments.tests.payroll_race import race

    _check(race())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL: see the in-process test above")
def test_two_runs_at_once_make_one_run_on_a_sqlite_file(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "MINZHENG_DATA_DIR": str(tmp_path),
        "MINZHENG_FEED_DIGEST_KEY": "race-test-key",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "minzheng.payments.tests.payroll_race"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    _check(json.loads(done.stdout.strip().splitlines()[-1]))
