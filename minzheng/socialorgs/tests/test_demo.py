"""The demo step: the organisation of the demo org account and 35 others, each part of the supervision and a
创投 round in motion; run twice, added once."""

from __future__ import annotations

from minzheng.accounts.services import user_create
from minzheng.accounts.units import ORG_CREDIT_CODE
from minzheng.socialorgs import demo, selectors
from minzheng.socialorgs.figures import FIGURES
from minzheng.socialorgs.models import AnnualReport, DrawBatch, Lead, Organisation, Rating
from minzheng.socialorgs.models_venture import Application, Instalment
from minzheng.socialorgs.tests.conftest import TODAY
from minzheng.testing import COUNTY, PASSWORD, load_test_divisions
from minzheng.workitems.models import WorkItem


def test_demo_socialorgs(db: None) -> None:
    load_test_divisions()
    for username, role in (("shezu", "socialorg_officer"), ("xian", "county_approver")):
        user_create(actor=None, username=username, role=role, jurisdiction=COUNTY, password=PASSWORD)
    zuzhi = user_create(actor=None, username="zuzhi", role="org_account", jurisdiction=COUNTY, password=PASSWORD,
                        unit=ORG_CREDIT_CODE)  # fmt: skip
    steps: list[str] = []
    demo.demo_extend(None, steps.append)
    assert steps == ["社会组织：登记、年报、双随机抽查、评估等级、打非线索与公益创投"]
    assert selectors.org_for_user(zuzhi) is not None
    assert selectors.registered_orgs(COUNTY).count() == 36
    assert Organisation.objects.filter(status="applying").count() == 1
    assert Organisation.objects.filter(status="abnormal").count() == 1
    assert AnnualReport.objects.filter(status="submitted").count() == 3
    assert AnnualReport.objects.filter(status="accepted").count() == 25
    assert DrawBatch.objects.get().drawn and Rating.objects.count() == 3 and Lead.objects.count() == 2
    assert Application.objects.filter(status="awarded").count() == 2
    assert Instalment.objects.filter(status="paid").count() == 1
    kinds = set(WorkItem.objects.filter(status="open").values_list("kind", flat=True))
    assert {"socialorg_report_review", "socialorg_filing", "socialorg_lead", "venture_instalment"} <= kinds
    demo.demo_extend(None, steps.append)
    assert Organisation.objects.count() == 37
    rows = {f.key: list(f.compute(TODAY)) for f in FIGURES}
    assert sum(v for _, _, v in rows["socialorgs.registered"]) == 36
    assert all(len(code) == 12 for code, _, _ in rows["socialorgs.registered"])
    filed = sum(v for _, b, v in rows["socialorgs.report_rate"] if b == "已报")
    assert filed == 28 and sum(v for _, b, v in rows["socialorgs.venture_money"] if b == "已拨付") > 0
