"""The board per jurisdiction: a town user sees only the town, drill-down links land on the scoped list,
the payload carries no personal data, exports are audited, the refresh is idempotent and survives a
broken figure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.core import figures
from minzheng.dashboard.models import Aggregate, Refresh
from minzheng.dashboard.services import refresh
from minzheng.dashboard.tests.helpers import household_with
from minzheng.testing import COUNTY, PASSWORD, TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_A2

pytestmark = pytest.mark.django_db
VILLAGE_B = "330212101200"  # 咸祥镇芦浦村


@pytest.fixture
def world(cast: Any) -> Any:
    household_with(VILLAGE_A, [dt.date(1950, 3, 1), dt.date(1980, 5, 2)], tags="独居老人")
    household_with(VILLAGE_A, [dt.date(1990, 1, 1)])
    household_with(VILLAGE_A2, [dt.date(1940, 7, 7)], tags="残疾:肢体二级")
    household_with(VILLAGE_B, [dt.date(1960, 2, 2), dt.date(2012, 9, 9), dt.date(2014, 9, 9)])
    refresh()
    return cast


def client_for(user: Any) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def value(key: str, division: str, bucket: str = "") -> int | None:
    return (
        Aggregate.objects.filter(figure=key, division=division, bucket=bucket).values_list("value", flat=True).first()
    )


def test_figures_roll_up_by_division_prefix(world: Any) -> None:
    assert value("registry.persons", COUNTY) == 7
    assert value("registry.persons", TOWN_A) == 4
    assert value("registry.persons", VILLAGE_A) == 3
    assert value("registry.persons", TOWN_B) == 3
    assert value("registry.persons", TOWN_A, "80+") == 1  # born 1940
    assert value("registry.persons", COUNTY, "0-17") == 2
    assert value("registry.households", TOWN_A) == 3
    assert value("registry.tags", TOWN_A, "living_alone_elder") == 1
    assert value("registry.tags", VILLAGE_A2, "disability") == 1


def test_a_town_user_sees_only_the_town(world: Any) -> None:
    c = client_for(world.town_officer)
    page = c.get("/dashboard/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "瞻岐镇" in body and "咸祥镇" not in body
    data = page.context["payload"]
    assert data["division"] == TOWN_A
    persons = next(f for f in data["figures"] if f["key"] == "registry.persons")
    assert persons["total"] == 4
    assert {c["code"] for c in data["children"]} >= {VILLAGE_A, VILLAGE_A2}
    assert all(c["code"].startswith(TOWN_A) for c in data["children"])
    for outside in (COUNTY, TOWN_B, VILLAGE_B, "33", "abc"):
        assert c.get(f"/dashboard/?division={outside}").status_code == 404
        assert c.get(f"/dashboard/data/?division={outside}").status_code == 404
    assert c.get(f"/dashboard/?division={VILLAGE_A}").status_code == 200


def test_roles_without_an_area_cannot_open_it(world: Any) -> None:
    assert client_for(world.caregiver).get("/dashboard/").status_code in (403, 404)
    assert "民政大脑" in client_for(world.county_approver).get("/").content.decode()


def test_drill_down_links_land_on_the_scoped_list(world: Any) -> None:
    c = client_for(world.county_approver)
    county = c.get("/dashboard/")
    town_link = f"/dashboard/?division={TOWN_A}"
    assert town_link in county.content.decode()
    town = c.get(town_link)
    village_link = f"/dashboard/?division={VILLAGE_A}"
    assert village_link in town.content.decode()
    village = c.get(village_link).context
    persons = next(f for f in village["figures"] if f.key == "registry.persons")
    assert persons.link == f"/registry/?list=all&division={VILLAGE_A}"
    listed = c.get(persons.link)
    assert listed.context["total"] == 3 == persons.total
    names = {r.name for r in listed.context["rows"]}
    assert all(n.startswith("居民") for n in names) and len(names) == 3
    tags = next(f for f in village["figures"] if f.key == "registry.tags")
    alone = next(b for b in tags.buckets if b.key == "living_alone_elder")
    assert alone.link == f"/registry/?list=living_alone_elder&division={VILLAGE_A}"
    assert c.get(alone.link).context["total"] == 1
    # A division outside the user's own narrows to nobody, never widens (the town officer of 咸祥镇).
    other = client_for(world.other_town_officer).get(f"/registry/?list=all&division={TOWN_A}")
    assert other.context["total"] == 0


def test_no_personal_data_in_the_payload(world: Any) -> None:
    from minzheng.registry.models import Person

    body = client_for(world.county_approver).get("/dashboard/data/").content.decode()
    for p in Person.objects.all():
        assert p.name not in body and p.id_number not in body


def test_exports_are_audited(world: Any) -> None:
    c = client_for(world.town_officer)
    xlsx = c.get("/dashboard/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = c.get(f"/dashboard/report.pdf?division={VILLAGE_A}")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    events = AuditEvent.objects.filter(object_type="dashboard", action="export")
    assert list(events.order_by("id").values_list("object_id", flat=True)) == [TOWN_A, VILLAGE_A]


def test_refresh_is_idempotent_and_keeps_a_broken_figures_rows(world: Any) -> None:
    before = set(Aggregate.objects.values_list("figure", "division", "bucket", "value"))
    refresh()
    assert set(Aggregate.objects.values_list("figure", "division", "bucket", "value")) == before

    original = figures.figure("registry.households")
    assert original is not None

    def broken(as_of: dt.date) -> Any:
        raise RuntimeError("源表不可用")

    figures.register(Figure_replace(original, broken))
    try:
        refresh()
    finally:
        figures.register(original)
    run = Refresh.objects.order_by("-started_at", "-id").first()
    assert run is not None and [f["key"] for f in run.failed] == ["registry.households"]
    assert value("registry.households", TOWN_A) == 3  # the previous rows stay
    page = client_for(world.town_officer).get("/dashboard/").content.decode()
    assert "1 项指标本次计算失败" in page


def Figure_replace(f: figures.Figure, compute: Any) -> figures.Figure:  # noqa: N802 - reads as a constructor
    from dataclasses import replace

    return replace(f, compute=compute)
