"""Open service-fraud flags are on the town's 待办; settling the item settles the flag."""

from __future__ import annotations

from typing import Any

from minzheng.eldercare.models import FraudFlag
from minzheng.eldercare.testing import HOME, CareWorld, make_elder
from minzheng.eldercare.tests.helpers import at
from minzheng.eldercare.tests.test_fraud import visit
from minzheng.workitems.models import WorkItem
from minzheng.workitems.selectors import mine
from minzheng.workitems.services import item_resolve, refresh


def test_flag_becomes_an_item_and_is_settled_with_it(cast: Any, care: CareWorld) -> None:
    neighbour = make_elder("邻阿婆", household_no="YL-0002", serial="424", phone="13800570002", location=HOME)
    visit(cast, care.elder, at(3, 9), 60, care.caregiver)
    second = visit(cast, neighbour, at(3, 9, 30), 60, care.caregiver)
    flag = FraudFlag.objects.get(order=second)
    assert refresh("eldercare_fraud") == {"open": 1, "closed": 0}
    item = WorkItem.objects.get(source="eldercare_fraud")
    assert item.kind == "fraud_overlap" and item.data["link"] == f"/eldercare/orders/{second.pk}/"
    assert item in list(mine(cast.town_officer))
    item_resolve(item, actor=cast.town_officer, resolution="已电话核实，护理员误操作签到")
    flag.refresh_from_db()
    assert not flag.open and flag.resolution == "已电话核实，护理员误操作签到"
    assert refresh("eldercare_fraud") == {"open": 0, "closed": 0}
