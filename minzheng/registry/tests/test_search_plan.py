"""A name-prefix search reads its page in (name, id) order off the `person_name_id` index and stops
at the limit: no sort of every match (import_bench, PostgreSQL at a million persons: a 2-character
prefix matched ~1,400 persons and took 19 ms; in index order 1 ms)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from minzheng.registry.search import person_search
from minzheng.testing import Cast


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test table is tiny and its statistics depend on the tests before: the planner's
            # choice among indexes is then arbitrary. With scans and sorts priced out it takes an
            # index that yields the page's order if there is one (else the plan keeps its Sort).
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}")
            plan = " | ".join(str(row[0]) for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
            return plan
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def test_a_name_prefix_page_is_read_in_index_order(cast: Cast) -> None:
    with CaptureQueriesContext(connection) as captured:
        person_search(user=cast.county_approver, q="张雪")
    (sql,) = [q["sql"] for q in captured.captured_queries if "registry_person" in q["sql"]]
    plan = _plan(sql)
    assert "person_name_id" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan  # SQLite's, PostgreSQL's sort
