"""items_sync: the bulk way a run's findings reach the 待办 (what the two worklist pages list)."""

from __future__ import annotations

import pytest

from minzheng.testing import Cast
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import ItemSpec, item_resolve, items_sync

pytestmark = pytest.mark.django_db

TOWN_A, TOWN_B = "330212105", "330212106"


def _spec(n: int, division: str = TOWN_A + "201", title: str = "应享未享") -> ItemSpec:
    return ItemSpec(
        source="test_findings", kind="missing", title=f"{title} {n}", subject_type="household",
        subject_id=str(n), division_code=division, role="town_officer", fingerprint=f"t:{n}", data={"n": n},
    )  # fmt: skip


def test_sync_is_idempotent_over_many_chunks() -> None:
    specs = [_spec(n) for n in range(4500)]  # more than two IN (…) chunks
    assert items_sync("test_findings", specs) == {"open": 4500, "created": 4500, "updated": 0, "closed": 0}
    assert items_sync("test_findings", specs) == {"open": 4500, "created": 0, "updated": 0, "closed": 0}
    assert WorkItem.objects.filter(source="test_findings", status="open").count() == 4500


def test_open_items_follow_their_fact_and_settled_ones_stay_settled(cast: Cast) -> None:
    items_sync("test_findings", [_spec(1), _spec(2)])
    settled = WorkItem.objects.get(fingerprint="t:2")
    item_resolve(settled, actor=cast.town_officer, resolution="已入户告知")
    result = items_sync("test_findings", [_spec(1, title="新标题"), _spec(2, title="新标题")])
    assert result["updated"] == 1
    assert WorkItem.objects.get(fingerprint="t:1").title == "新标题 1"
    settled.refresh_from_db()
    assert (settled.status, settled.title, settled.resolution) == ("resolved", "应享未享 2", "已入户告知")


def test_unseen_items_close_only_within_the_scope() -> None:
    items_sync("test_findings", [_spec(1, TOWN_A + "201"), _spec(2, TOWN_B + "201")])
    # A run over town A that no longer finds fact 1: it closes; town B's item is not the run's to close.
    assert items_sync("test_findings", [], within=TOWN_A, resolution="不再列出")["closed"] == 1
    closed = WorkItem.objects.get(fingerprint="t:1")
    assert (closed.status, closed.resolution, closed.resolved_by) == ("resolved", "不再列出", None)
    assert WorkItem.objects.get(fingerprint="t:2").status == "open"
    # A producer that only adds (within=None) closes nothing.
    assert items_sync("test_findings", [], within=None)["closed"] == 0
    assert WorkItem.objects.get(fingerprint="t:2").status == "open"
