"""双随机: reproducible from the saved seed and pools, audited, drawn once per batch; inspections and findings."""

from __future__ import annotations

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.socialorgs import draw, items
from minzheng.socialorgs import services_supervise as supervise
from minzheng.socialorgs.models import DrawBatch, Finding, Inspection, Inspector, Organisation
from minzheng.socialorgs.services import SocialOrgError
from minzheng.socialorgs.tests.conftest import TODAY, ago, make_org
from minzheng.testing import COUNTY, Cast
from minzheng.workdays.selectors import add_working_days


@pytest.fixture
def pool(cast: Cast, org: Organisation) -> list[Organisation]:
    orgs = [org, *(make_org(cast, f"第{i}协会", 40 + i) for i in range(5))]
    for i in range(4):
        avoid = [org.credit_code] if i < 2 else []
        Inspector.objects.create(
            name=f"检查员{i}", unit="区民政局", certificate=f"ZJ{i:04d}", division_code=COUNTY, avoid=avoid
        )
    return orgs


def test_draw_saved_reproducible_and_refused_twice(cast: Cast, pool: list[Organisation]) -> None:
    batch = draw.batch_create(name="2026年度抽查", year=2026, ratio_permille=500, actor=cast.socialorg_officer)
    assert batch.inspectors_per_org == 2  # 民发〔2017〕45号：不少于2名
    batch = draw.batch_draw(batch, actor=cast.socialorg_officer)
    saved = DrawBatch.objects.get(pk=batch.pk)
    assert len(saved.seed) == 32 and len(saved.pool_orgs) == 6 and len(saved.pool_inspectors) == 4
    assert len(saved.drawn) == 3  # 50% of 6
    assert draw.replay(saved)
    again = draw.pick(saved.seed, saved.pool_orgs, saved.pool_inspectors, 500, 2)
    assert again == saved.drawn
    assert draw.pick("ab" * 16, saved.pool_orgs, saved.pool_inspectors, 500, 2) != saved.drawn  # the seed decides
    for d in saved.drawn:  # inspectors with a conflict stepped aside
        if d["code"] == pool[0].credit_code:
            assert {i["name"] for i in d["inspectors"]} == {"检查员2", "检查员3"}
    assert Inspection.objects.filter(batch=saved).count() == 3
    event = AuditEvent.objects.get(object_type="socialorg_draw", summary__startswith="双随机抽取")
    assert event.data["seed"] == saved.seed and len(event.data["drawn"]) == 3
    with pytest.raises(SocialOrgError, match=r"已于 .* 抽取，不能再次抽取"):
        draw.batch_draw(saved, actor=cast.socialorg_officer)
    stale = DrawBatch.objects.get(pk=batch.pk)
    stale.drawn_at = None  # a page opened before the draw, submitted after it
    with pytest.raises(SocialOrgError, match="已被抽取，不能再次抽取"):
        draw.batch_draw(stale, actor=cast.socialorg_officer)
    assert DrawBatch.objects.get(pk=batch.pk).seed == saved.seed
    with pytest.raises(SocialOrgError, match="已存在，不能重复建立"):
        draw.batch_create(name="2026年度抽查", year=2026, actor=cast.socialorg_officer)


def test_draw_refuses_without_enough_inspectors(cast: Cast, org: Organisation) -> None:
    Inspector.objects.create(name="独一", unit="区民政局", certificate="ZJ9", division_code=COUNTY)
    batch = draw.batch_create(name="人手不足", year=2026, actor=cast.socialorg_officer)
    with pytest.raises(SocialOrgError, match="可派检查人员不足"):
        draw.batch_draw(batch, actor=cast.socialorg_officer)
    assert DrawBatch.objects.get(pk=batch.pk).drawn_at is None  # nothing saved, may be drawn once staffed


def test_inspection_findings_deadline_in_working_days(cast: Cast, pool: list[Organisation]) -> None:
    batch = draw.batch_draw(
        draw.batch_create(name="专项", year=2026, actor=cast.socialorg_officer), actor=cast.socialorg_officer
    )
    inspection = batch.inspections.get()
    with pytest.raises(SocialOrgError, match="请至少登记一条问题"):
        supervise.inspection_record(
            inspection, method="site", on=ago(1), result="rectify", actor=cast.socialorg_officer
        )
    found = [supervise.Found("finance", "现金收支未入账")]
    supervise.inspection_record(
        inspection, method="site", on=ago(30), result="rectify", findings=found, actor=cast.socialorg_officer
    )
    finding = Finding.objects.get()
    assert finding.rectify_due == add_working_days(ago(30), 20)
    items.refresh_items()
    from minzheng.workitems.models import WorkItem

    late = WorkItem.objects.filter(kind="socialorg_finding", status="open")
    assert late.count() == (1 if finding.rectify_due < TODAY else 0)
    supervise.finding_rectified(finding, on=TODAY, actor=cast.socialorg_officer)
    supervise.inspection_publish(inspection, actor=cast.socialorg_officer)
    items.refresh_items()
    assert not WorkItem.objects.filter(kind="socialorg_finding", status="open").exists()
