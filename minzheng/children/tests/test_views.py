"""The child file pages: masked list, audited read, scoping (404 across towns), forms, export."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.children import services
from minzheng.children.models import ChildFile, ParentSituation
from minzheng.children.tests.conftest import Family, child_born, household_in, open_file
from minzheng.testing import PASSWORD, Cast

OTHER_TOWN_VILLAGE = "330212101200"  # 咸祥镇芦浦村


def _client(user: object) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return c


def test_reading_a_child_file_leaves_an_audit_row(cast: Cast, family: Family) -> None:
    child = open_file(family.son)
    before = AuditEvent.objects.filter(object_type="child_file", action="view").count()
    response = _client(cast.child_director).get(f"/children/{child.pk}/")
    assert response.status_code == 200
    assert "张小明" in response.content.decode()
    event = AuditEvent.objects.filter(object_type="child_file", action="view").order_by("-pk").first()
    assert (
        event is not None and event.object_id == str(child.pk) and event.actor_username == cast.child_director.username
    )
    assert AuditEvent.objects.filter(object_type="child_file", action="view").count() == before + 1


def test_list_is_masked(cast: Cast, family: Family) -> None:
    open_file(family.son)
    body = _client(cast.child_supervisor).get("/children/").content.decode()
    assert "张**" in body and "张小明" not in body
    assert "330212201509103218" not in body


def test_other_town_is_404_and_not_listed(cast: Cast, family: Family) -> None:
    far = open_file(child_born(household_in(OTHER_TOWN_VILLAGE, "HQ-0900"), dt.date(2016, 3, 1)))
    supervisor = _client(cast.child_supervisor)  # 瞻岐镇
    assert supervisor.get(f"/children/{far.pk}/").status_code == 404
    assert supervisor.get(f"/children/{far.pk}/situation/").status_code == 404
    assert str(far.pk) not in [r for r in supervisor.get("/children/").content.decode().split('"') if r.isdigit()]
    assert _client(cast.other_town_officer).get(f"/children/{far.pk}/").status_code == 200  # 咸祥镇
    assert not AuditEvent.objects.filter(
        object_type="child_file", action="view", object_id=str(far.pk), actor_username=cast.child_supervisor.username
    ).exists()


def test_auditor_reads_but_cannot_write(cast: Cast, family: Family) -> None:
    child = open_file(family.son)
    auditor = _client(cast.auditor)
    assert auditor.get(f"/children/{child.pk}/").status_code == 200
    assert auditor.get(f"/children/{child.pk}/situation/").status_code == 404


def test_recording_a_situation_is_audited_and_recomputes(cast: Cast, family: Family) -> None:
    child = open_file(family.son)
    c = _client(cast.child_director)
    for parent, situation in (("father", "imprisoned"), ("mother", "dead")):
        response = c.post(
            f"/children/{child.pk}/situation/",
            {
                "parent": parent,
                "situation": situation,
                "since": "2024-01-05",
                "source": "document",
                "evidence": "判决书",
            },
        )
        assert response.status_code == 302, response.content.decode()
    assert ParentSituation.objects.filter(child=child).count() == 2
    child = ChildFile.objects.get(pk=child.pk)
    assert "unsupported_child" in child.category.categories
    assert AuditEvent.objects.filter(object_type="child_file", action="update", object_id=str(child.pk)).count() == 2
    bad = c.post(
        f"/children/{child.pk}/situation/",
        {"parent": "father", "situation": "dead", "since": "2999-01-01", "source": "document", "evidence": "x"},
    )
    assert "起始日期：不能晚于今天" in bad.content.decode()


def test_guardian_and_file_forms(cast: Cast, family: Family) -> None:
    child = open_file(family.son)
    c = _client(cast.child_director)
    r = c.post(
        f"/children/{child.pk}/guardian/",
        {"relation": "grandparent", "since": "2023-01-01", "name": "张奶奶", "is_primary": "on"},
    )
    assert r.status_code == 302
    r = c.post(
        f"/children/{child.pk}/edit/",
        {
            "in_school": "yes",
            "school_name": "瞻岐镇中心小学",
            "grade": "四年级",
            "guardian_missing": "no",
            "disability_grade": "0",
        },
    )
    assert r.status_code == 302, r.content.decode()
    child.refresh_from_db()
    assert child.in_school is True and child.guardian_missing is False
    assert child.guardians.get().display_name() == "张奶奶"


def test_export_goes_through_sheets_and_is_audited(cast: Cast, family: Family) -> None:
    open_file(family.son)
    r = _client(cast.town_officer).get("/children/?export=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert AuditEvent.objects.filter(object_type="child_file_export", action="export").exists()


def test_open_a_file_from_the_list_and_never_delete(cast: Cast, family: Family) -> None:
    r = _client(cast.child_director).post("/children/open/", {"id_number": family.son.id_number})
    child = ChildFile.objects.get(person=family.son)
    assert r.status_code == 302 and r["Location"] == f"/children/{child.pk}/"
    import pytest

    from minzheng.children.models import ChildFileDeleteRefused

    with pytest.raises(ChildFileDeleteRefused):
        child.delete()


def test_list_filters_category_and_pending(cast: Cast, family: Family) -> None:
    child = open_file(family.son)
    services.situation_record(
        child, parent="father", situation="away_working", since=dt.date(2024, 1, 1), source="visit",
        evidence="走访", actor=None,
    )  # fmt: skip
    c = _client(cast.child_director)
    assert (
        f"/children/{child.pk}/"
        in c.get("/children/", {"category": "left_behind_child", "pending": "on"}).content.decode()
    )
    assert f"/children/{child.pk}/" not in c.get("/children/", {"category": "left_behind_child"}).content.decode()
    services.situation_record(
        child, parent="mother", situation="away_working", since=dt.date(2024, 1, 1), source="visit",
        evidence="走访", actor=None,
    )  # fmt: skip
    assert f"/children/{child.pk}/" in c.get("/children/", {"category": "left_behind_child"}).content.decode()
    assert (
        f"/children/{child.pk}/"
        not in c.get("/children/", {"category": "left_behind_child", "pending": "on"}).content.decode()
    )
