"""The cremation and hukou feeds (real files, ingested into a real feed store) draft 身后一件事: two records
of the same death make one case; a death the 户籍 feed shows but no 火化 still drafts; old deaths do not."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from minzheng.cases.models import Material
from minzheng.lifeevents.feeds import drafts_from_feeds
from minzheng.lifeevents.models import EventRecord, LifeEvent
from minzheng.lifeevents.tests.conftest import TODAY, World
from minzheng.payments.models import Status
from minzheng.verification.engine.ingest import ingest_file
from minzheng.verification.engine.store import FeedStore
from minzheng.workitems.models import WorkItem

DIED = TODAY - dt.timedelta(days=3)


def _csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def _deliver(world: World) -> None:
    root = Path(settings.FEEDS_DIR)
    root.mkdir(parents=True, exist_ok=True)
    store = FeedStore(root / "store")
    cremation = _csv(
        root / "cremation.csv",
        ["公民身份号码", "姓名", "死亡日期", "火化日期"],
        [
            [world.head.id_number, world.head.name, DIED.isoformat(), TODAY.isoformat()],
            # 王桂英 died two years ago: settled business, not drafted again.
            [world.elder.id_number, world.elder.name, "2024-01-05", "2024-01-07"],
        ],
    )
    hukou = _csv(
        root / "hukou.csv",
        ["公民身份号码", "姓名", "户号", "与户主关系", "户籍地区划代码", "户籍状态", "注销日期"],
        [
            [world.head.id_number, world.head.name, "HQ-0001", "户主", "330212100201", "死亡注销", DIED.isoformat()],
            [world.wife.id_number, world.wife.name, "HQ-0001", "配偶", "330212100201", "正常", ""],
        ],
        encoding="gb18030",
    )
    ingest_file("cremation", cremation, TODAY, store)
    ingest_file("hukou", hukou, TODAY, store)


@pytest.mark.django_db
def test_cremation_and_hukou_records_of_one_death_draft_one_case_for_the_town(world: World) -> None:
    _deliver(world)
    counts = drafts_from_feeds(TODAY)
    assert counts["records"] == 2 and counts["events"] == 1
    event = LifeEvent.objects.get()
    assert event.person == world.head and event.case.status == "registered" and event.event_date == DIED
    assert set(EventRecord.objects.values_list("source", flat=True)) == {"cremation", "hukou"}
    # The town's window has the draft on its 待办; the household's 低保 is suspended before the next payroll.
    assert WorkItem.objects.filter(subject_type="case", subject_id=str(event.case_id), role="town_officer").exists()
    world.dibao.refresh_from_db()
    assert world.dibao.status == Status.SUSPENDED
    proof = Material.objects.get(case=event.case, key="proof:death_certificate")
    assert proof.status == Material.Status.FETCHED and "火化" in proof.note
    again = drafts_from_feeds(TODAY)  # the next night: nothing new
    assert again["events"] == 1 and LifeEvent.objects.count() == 1 and EventRecord.objects.count() == 2
