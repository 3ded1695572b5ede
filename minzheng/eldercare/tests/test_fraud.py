"""The four authenticity checks, each firing and not firing; the daily run adds nothing twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from minzheng.eldercare import orders, services
from minzheng.eldercare.fraud import checks_run
from minzheng.eldercare.models import FraudFlag
from minzheng.eldercare.testing import HOME, CareWorld, make_elder
from minzheng.eldercare.tests.helpers import at, finish, photo, place
from minzheng.eldercare.tests.test_money import regional

K = FraudFlag.Kind


def kinds(order: Any) -> set[str]:
    return set(FraudFlag.objects.filter(order=order).values_list("kind", flat=True))


def visit(
    cast: Any, elder: Any, start: dt.datetime, minutes: int, caregiver: Any, codes: list[str] | None = None
) -> Any:
    """A finished visit whose phone times are start … start + minutes, checked in and out at the elder's home."""
    order = place(cast, elder, codes or ["SC01"], start)
    return finish(
        cast, order, caregiver, checkin_at=start, checkout_at=start + dt.timedelta(minutes=minutes),
        where=(elder.lat, elder.lng),
    )  # fmt: skip


def test_clean_visits_raise_nothing(cast: Any, care: CareWorld) -> None:
    a = visit(cast, care.elder, at(3, 9), 60, care.caregiver)
    b = visit(cast, care.elder, at(3, 11), 60, care.caregiver)
    assert kinds(a) == kinds(b) == set()
    assert checks_run(actor=None, day=dt.date(2026, 11, 3)) == []


def test_one_caregiver_on_two_orders_at_once(cast: Any, care: CareWorld) -> None:
    neighbour = make_elder("邻阿婆", household_no="YL-0002", serial="424", phone="13800570002", location=HOME)
    visit(cast, care.elder, at(3, 9), 60, care.caregiver)
    # Dispatched by hand to the same caregiver, who "checks in" next door at 09:30 while still at the first.
    second = visit(cast, neighbour, at(3, 9, 30), 60, care.caregiver)
    assert kinds(second) == {K.OVERLAP}
    flag = FraudFlag.objects.get(order=second)
    assert "服务时间重叠" in flag.detail and flag.division_code == neighbour.division_code


def test_impossible_travel_between_consecutive_orders(cast: Any, care: CareWorld) -> None:
    # 20 km away, 10 minutes after the last check-out: 120 km/h > 40 km/h.
    far = make_elder("远阿公", household_no="YL-0003", serial="435", phone="13800570003", location=(29.95, 121.80))
    visit(cast, care.elder, at(3, 9), 60, care.caregiver)
    second = visit(cast, far, at(3, 10, 10), 60, care.caregiver)
    assert kinds(second) == {K.TRAVEL}
    assert "超过 40 公里/小时" in FraudFlag.objects.get(order=second).detail


def test_the_same_distance_with_time_to_travel_is_fine(cast: Any, care: CareWorld) -> None:
    far = make_elder("远阿公", household_no="YL-0003", serial="435", phone="13800570003", location=(29.95, 121.80))
    visit(cast, care.elder, at(3, 9), 60, care.caregiver)
    second = visit(cast, far, at(3, 12), 60, care.caregiver)  # 2 h for 20 km
    assert kinds(second) == set()


def test_hours_beyond_the_entitlement(tmp_path: Path, cast: Any, care: CareWorld) -> None:
    regional(tmp_path, "eldercare.hours.dibao.2", 2)
    within = visit(cast, care.elder, at(3, 9), 60, care.caregiver, ["SC01", "SC02"])  # 90 of 120 minutes
    assert kinds(within) == set()
    beyond = visit(cast, care.elder, at(4, 9), 60, care.caregiver)  # 150 minutes
    assert kinds(beyond) == {K.HOURS}
    assert (
        FraudFlag.objects.get(order=beyond).detail
        == "周阿婆 2026年11月 已完成服务 150 分钟，超过应享 2 小时（120 分钟）"
    )


def test_caregiver_without_the_items_qualification(cast: Any, care: CareWorld) -> None:
    qualified = visit(cast, care.elder, at(3, 9), 15, None, ["HM02"])  # 血糖监测: dispatched to the nurse
    assert qualified.caregiver == care.nurse and kinds(qualified) == set()
    order = place(cast, care.elder, ["HM02"], at(4, 9))
    orders.order_dispatch(actor=cast.hotline_operator, order=order)
    care.nurse.qualifications = ["care_worker"]  # the certificate lapsed before the visit
    care.nurse.save()
    orders.order_accept(actor=cast.caregiver, order=order)
    orders.order_check_in(actor=cast.caregiver, order=order, lat=HOME[0], lng=HOME[1])
    orders.order_photo_add(actor=cast.caregiver, order=order, kind="before", upload=photo("b"))
    orders.order_start(actor=cast.caregiver, order=order)
    orders.order_photo_add(actor=cast.caregiver, order=order, kind="after", upload=photo("a"))
    order.caregiver.refresh_from_db()
    orders.order_check_out(
        actor=cast.caregiver, order=order, lat=HOME[0], lng=HOME[1],
        done_line_ids=list(order.lines.values_list("pk", flat=True)), confirmed_by="周阿婆",
    )  # fmt: skip
    assert kinds(order) == {K.QUALIFICATION}
    assert "无“护士”资质" in FraudFlag.objects.get(order=order).detail


def test_daily_run_is_idempotent_and_flags_are_resolved_on_the_worklist(cast: Any, care: CareWorld) -> None:
    neighbour = make_elder("邻阿婆", household_no="YL-0002", serial="424", phone="13800570002", location=HOME)
    first = visit(cast, care.elder, at(3, 9), 60, care.caregiver)
    second = visit(cast, neighbour, at(3, 9, 30), 60, care.caregiver)
    # At check-out only the later order could be judged; the nightly run flags its partner too, once.
    assert [(f.kind, f.order_id, f.other_order_id) for f in checks_run(actor=None, day=dt.date(2026, 11, 3))] == [
        (K.OVERLAP, first.pk, second.pk)
    ]
    assert checks_run(actor=None, day=dt.date(2026, 11, 3)) == []
    flag = FraudFlag.objects.get(order=second)
    services.flag_resolve(actor=cast.town_officer, flag=flag, resolution="核实为同一院内两户，时间记录有误")
    flag.refresh_from_db()
    assert not flag.open and flag.resolved_by == cast.town_officer


def test_nightly_job_runs_the_checks_over_days_and_resumes(cast: Any, care: CareWorld) -> None:
    from minzheng.eldercare.tasks import FRAUD_CHECKS
    from minzheng.jobs.services import job_enqueue, job_run_now

    neighbour = make_elder("邻阿婆", household_no="YL-0002", serial="424", phone="13800570002", location=HOME)
    visit(cast, care.elder, at(3, 9), 60, care.caregiver)
    visit(cast, neighbour, at(3, 9, 30), 60, care.caregiver)
    job = job_enqueue(kind=FRAUD_CHECKS, params={"from": "2026-11-02", "to": "2026-11-04"}, actor=cast.town_officer)
    done = job_run_now(job)
    assert done.status == "done" and done.result == {"days": 3, "new_flags": 1}
    assert done.checkpoint["done_until"] == "2026-11-04"
    again = job_run_now(job_enqueue(kind=FRAUD_CHECKS, params={"from": "2026-11-03"}, actor=None))
    assert again.result == {"days": 1, "new_flags": 0}


def test_cli_runs_the_checks_for_a_day(cast: Any, care: CareWorld) -> None:
    import json

    from typer.testing import CliRunner

    from minzheng.cli import app
    from minzheng.eldercare import cli as _cli  # noqa: F401 - registers the commands

    neighbour = make_elder("邻阿婆", household_no="YL-0002", serial="424", phone="13800570002", location=HOME)
    first = visit(cast, care.elder, at(3, 9), 60, care.caregiver)
    visit(cast, neighbour, at(3, 9, 30), 60, care.caregiver)
    out = CliRunner().invoke(app, ["eldercare", "checks", "--date", "2026-11-03", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {"date": "2026-11-03", "new_flags": [{"kind": "overlap", "order": first.pk}]}
    bad = CliRunner().invoke(app, ["eldercare", "checks", "--date", "11/03"])
    assert bad.exit_code == 1 and "不是 YYYY-MM-DD 格式的日期" in bad.output
