"""Overdue reminders at a county's scale: a few queries per thousand late items, each fact sent once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minzheng.cases import tasks
from minzheng.notifications.models import Notification
from minzheng.notifications.services import notify
from minzheng.workitems.services import ItemSpec, item_upsert

pytestmark = pytest.mark.django_db


def _late_items(n: int) -> None:
    due = timezone.localdate() - dt.timedelta(days=3)
    for k in range(n):
        item_upsert(
            ItemSpec(
                source="case_stage", kind="case_stage", title=f"低保-330212-2026-{k:06d} 张* 最低生活保障：待入户调查",
                subject_type="case", subject_id=str(k), division_code="330212100201", role="town_officer",
                fingerprint=f"case:{k}:accepted", due_on=due, data={"case_no": f"低保-330212-2026-{k:06d}"},
            )
        )  # fmt: skip


def test_reminders_are_written_in_bulk_and_only_once(django_assert_max_num_queries: object) -> None:
    _late_items(30)
    notify(kind="overdue", title="已发", fingerprint="overdue:case:0:accepted", role="town_officer")
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        assert tasks.overdue_reminders() == {"overdue": 30}
    assert Notification.objects.filter(kind="overdue").count() == 30
    assert Notification.objects.get(fingerprint="overdue:case:0:accepted").title == "已发"
    reminder = Notification.objects.get(fingerprint="overdue:case:7:accepted")
    assert (reminder.role, reminder.link) == ("town_officer", "/cases/低保-330212-2026-000007/")
    assert tasks.overdue_reminders() == {"overdue": 30}
    assert Notification.objects.filter(kind="overdue").count() == 30


def test_reminders_walk_every_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "REMINDER_CHUNK", 4)
    _late_items(10)
    assert tasks.overdue_reminders() == {"overdue": 10}
    assert Notification.objects.filter(kind="overdue").count() == 10
