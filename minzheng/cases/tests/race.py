"""Run the confirmation race against whatever database DATABASE_URL names, in threads of one process.

Used by test_concurrency on SQLite: the test suite's SQLite database is in memory, where a
second writer fails at once instead of waiting, which is not how the product runs. Here the
database is a real file (WAL, IMMEDIATE transactions, busy timeout) like an installation's.
Prints one JSON line: {"wins": n, "refusals": [...], "errors": [...], "status": ..., "logs": n}.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from minzheng.accounts.services import user_create
    from minzheng.cases import services
    from minzheng.cases.models import Case
    from minzheng.testing import PASSWORD, load_test_divisions, make_cast, make_household
    from minzheng.workflow.models import TransitionLog
    from minzheng.workflow.services import TransitionRefused

    call_command("migrate", verbosity=0)
    load_test_divisions()
    cast = make_cast()
    second = user_create(
        actor=None, username="qianxian", role="county_approver", jurisdiction="330212", password=PASSWORD
    )
    today = timezone.localdate()

    def ago(n: int) -> str:
        return (today - dt.timedelta(days=n)).isoformat()

    household, _ = make_household()
    case = services.case_open(
        services.Opening("dibao", household, today - dt.timedelta(days=20), "SQ-1"), actor=cast.town_officer
    )
    survey = {"visited_on": ago(18), "visitors": ["王村", "李镇"], "findings": "无收入"}
    services.case_transition(case, "investigated", actor=cast.village_worker, data={"survey": survey, "on": ago(18)})
    services.case_transition(case, "reviewed", actor=cast.town_officer, reason="同意", data={"on": ago(16)})
    services.case_transition(case, "publicised", actor=cast.town_officer, data={"on": ago(15)})
    connection.close()

    barrier = threading.Barrier(2)
    out: dict[str, list[str]] = {"wins": [], "refusals": [], "errors": []}

    def confirm(user: object) -> None:
        try:
            mine = Case.objects.get(pk=case.pk)
            barrier.wait()
            services.case_transition(
                mine, "confirmed", actor=user, reason="同意", data={"override_reason": "入户调查确认"}
            )
            out["wins"].append(user.username)  # type: ignore[attr-defined]
        except TransitionRefused as exc:
            out["refusals"].append(str(exc))
        except Exception as exc:  # reported to the test
            out["errors"].append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(u,)) for u in (cast.county_approver, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    case.refresh_from_db()
    logs = TransitionLog.objects.filter(object_id=str(case.pk), target="confirmed").count()
    sys.stdout.write(json.dumps({**out, "wins": len(out["wins"]), "status": case.status, "logs": logs}) + "\n")


if __name__ == "__main__":
    main()
