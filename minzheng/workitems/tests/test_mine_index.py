"""我的待办 at scale: the role's items through the role index; items assigned by name still show."""

from __future__ import annotations

import pytest
from django.db import connection

from minzheng.testing import TOWN_B, VILLAGE_A, Cast
from minzheng.workitems.models import WorkItem
from minzheng.workitems.selectors import mine

pytestmark = pytest.mark.django_db


def _item(fp: str, role: str, division: str, assignee: object = None) -> WorkItem:
    return WorkItem.objects.create(
        source="case_stage", kind="case_stage", title=fp, subject_type="case", subject_id=fp,
        division_code=division, role=role, fingerprint=fp, assignee=assignee,
    )  # fmt: skip


def test_mine_is_the_role_in_the_jurisdiction_plus_what_is_assigned_by_name(cast: Cast) -> None:
    _item("role-here", "town_officer", VILLAGE_A)
    _item("role-other-town", "town_officer", TOWN_B + "201")
    _item("other-role", "county_approver", VILLAGE_A)
    _item("someone-elses", "town_officer", VILLAGE_A, assignee=cast.other_town_officer)
    assert [i.fingerprint for i in mine(cast.town_officer)] == ["role-here"]
    _item("by-name", "county_approver", VILLAGE_A, assignee=cast.town_officer)
    assert sorted(i.fingerprint for i in mine(cast.town_officer)) == ["by-name", "role-here"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan; PostgreSQL plans by its statistics")
def test_without_items_by_name_the_page_query_uses_the_role_index(cast: Cast) -> None:
    _item("role-here", "town_officer", VILLAGE_A)
    _item("role-other-town", "town_officer", TOWN_B + "201")
    _item("other-role", "county_approver", VILLAGE_A)
    assert [i.fingerprint for i in mine(cast.town_officer)] == ["role-here"]
    sql, params = mine(cast.town_officer).order_by("due_on", "id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "workitem_mine" in plan, plan
