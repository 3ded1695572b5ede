"""The demo hook: parameters imported and one batch run, so the demo's worklists are not empty."""

from __future__ import annotations

from types import SimpleNamespace

from minzheng.registry.models import Household
from minzheng.rules.demo import demo_extend
from minzheng.rules.models import EligibilityRun, Parameter, WorklistItem
from minzheng.rules.tests.helpers_r2 import AS_OF, family
from minzheng.testing import VILLAGE_A


def test_demo_extend_imports_params_and_fills_worklists(county: None) -> None:
    family("HQ-101", VILLAGE_A, [("孙贫", "19700101", "户主", "")])
    steps: list[str] = []
    demo_extend(SimpleNamespace(import_result=SimpleNamespace(accepted=1), as_of=AS_OF), steps.append)
    assert steps == ["导入政策参数", "批量资格判定（应享未享、不应享而享清单）"]
    assert Parameter.objects.filter(key="dibao.standard", region_code="330212").exists()
    run = EligibilityRun.objects.get()
    assert (run.status, run.region_code, run.households) == ("done", "330212", Household.objects.count())
    assert WorklistItem.objects.filter(run=run, policy_id="dibao", kind="missing").count() == 1
    # Run again (a second demo build into the same database): parameters unchanged, a new run.
    params = list(Parameter.objects.order_by("pk").values_list("pk", "value", "recorded_at"))
    demo_extend(SimpleNamespace(import_result=SimpleNamespace(accepted=1), as_of=AS_OF), steps.append)
    assert list(Parameter.objects.order_by("pk").values_list("pk", "value", "recorded_at")) == params
    assert EligibilityRun.objects.filter(status="done").count() == 2
