"""Builders for the disaster tests: parameters imported, an event over 瞻岐镇, a family in 合一村."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone

from minzheng.cases import services as cases
from minzheng.disaster import services
from minzheng.disaster.models import Event, Kind, ReliefClaim
from minzheng.testing import TOWN_A, Cast

TODAY = timezone.localdate()
PARAMS = Path(__file__).resolve().parents[1] / "data" / "params.yaml"


def ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def import_params() -> None:
    from minzheng.rules.services import params_import

    params_import(actor=None, path=PARAMS)


def typhoon(cast: Cast, areas: list[str] | None = None) -> Event:
    data = services.EventData(
        name="2026年第14号台风", kind="typhoon", areas=areas or [TOWN_A], started_on=ago(20),
        response_level="Ⅳ", level_basis="县级预案 4.1：紧急转移安置 1000 人以上（会商意见）",
    )  # fmt: skip
    return services.event_create(data, actor=cast.disaster_officer)


def claim(
    cast: Cast, event: Event, household: Any, kind: str = Kind.TRANSITION, persons: int = 3, actor: Any = None
) -> ReliefClaim:
    data = services.ClaimData(
        kind=kind, household=household, received_on=ago(15), house_damage="collapsed", no_livelihood=True,
        transition_persons=persons, winter_hardship=True, winter_persons=persons, authorisation_no=f"SQ-{household.pk}",
    )  # fmt: skip
    return services.claim_open(event, data, actor=actor or cast.village_worker)


def to_publicity(cast: Cast, c: ReliefClaim) -> None:
    """受理 → 入户核查 → 乡镇审核 → 公示 (ended yesterday)."""
    case = c.case
    survey = {"visited_on": ago(14).isoformat(), "visitors": ["王村", "李镇"], "findings": "房屋倒塌，借住亲戚家"}
    cases.case_transition(
        case, "investigated", actor=cast.village_worker, data={"survey": survey, "on": ago(14).isoformat()}
    )
    cases.case_transition(case, "reviewed", actor=cast.town_officer, reason="同意", data={"on": ago(12).isoformat()})
    cases.case_transition(case, "publicised", actor=cast.town_officer, data={"on": ago(10).isoformat()})


def confirm(cast: Cast, c: ReliefClaim, **data: Any) -> None:
    cases.case_transition(c.case, "confirmed", actor=cast.county_approver, reason="同意救助", data=data)
