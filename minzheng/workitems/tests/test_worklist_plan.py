"""A worklist page reads its first page and its per-kind counts off the (source, status, division_code, kind)
index: no sort of a county's open findings, no table read to count them (cases_bench: 1,000 → 90 ms)."""

from __future__ import annotations

import pytest
from django.db import connection

from minzheng.rules.selectors import open_counts, worklist_items
from minzheng.testing import Cast
from minzheng.workitems.models import WorkItem

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN")


def _plan(queryset: object) -> str:
    sql, params = queryset.query.sql_with_params()  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def test_the_first_page_is_read_in_index_order(cast: Cast) -> None:
    page = worklist_items(user=cast.county_approver, status=WorkItem.Status.OPEN)[:50]
    plan = _plan(page)
    assert "workitem_source_kind" in plan and "TEMP B-TREE" not in plan, plan


def test_the_counts_by_kind_read_only_the_index(cast: Cast) -> None:
    from django.db.models import Count

    items = worklist_items(user=cast.county_approver, status=WorkItem.Status.OPEN).order_by()
    plan = _plan(items.values_list("kind").annotate(n=Count("id")))
    assert "COVERING INDEX workitem_source_kind" in plan, plan
    assert open_counts(user=cast.county_approver) == {}
