"""Two payroll runs of the same programme, month and region started at the same moment, in threads
with their own connections, against whatever database DATABASE_URL names (test_payroll_concurrency).

Used on SQLite with a real file database (WAL, IMMEDIATE transactions, busy timeout) like an
installation's: the test suite's in-memory SQLite cannot show a second writer waiting.
Prints one JSON line: {"runs": n, "run_ids": [...], "lines": n, "statuses": [...], "errors": [...]}.
"""

from __future__ import annotations

import json
import os
import sys
import threading


def race() -> dict[str, object]:
    """Set up the November world, then run the payroll twice at once (Django set up, database migrated)."""
    from django.db import connection

    from minzheng.payments import payroll
    from minzheng.payments.models import PayrollLine, PayrollRun
    from minzheng.payments.tests.payroll_fixtures import NOV, REGION, november_world
    from minzheng.testing import load_test_divisions, make_cast

    load_test_divisions()
    cast = make_cast()
    november_world(cast)
    barrier = threading.Barrier(2)
    ids: list[int] = []
    statuses: list[str] = []
    errors: list[str] = []

    def go(user: object) -> None:
        try:
            barrier.wait()
            run = payroll.run_payroll("dibao", NOV, REGION, actor=user)  # type: ignore[arg-type]
            ids.append(run.pk)
            statuses.append(run.status)
        except Exception as exc:  # reported to the test
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(u,)) for u in (cast.town_officer, cast.county_approver)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    final = payroll.run_payroll("dibao", NOV, REGION, actor=None)  # whoever lost the lease: finished now
    return {
        "runs": PayrollRun.objects.count(),
        "run_ids": sorted(set(ids)),
        "lines": PayrollLine.objects.filter(run=final).count(),
        "status": final.status,
        "total_fen": final.total_fen,
        "statuses": statuses,
        "errors": errors,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sys.stdout.write(json.dumps(race()) + "\n")


if __name__ == "__main__":
    main()
