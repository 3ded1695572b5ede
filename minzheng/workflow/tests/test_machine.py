"""Machine declarations: the load-time checks that keep a file from being stranded."""

from __future__ import annotations

import pytest

from minzheng.workflow.machine import MachineError, load, mermaid

BASE = {
    "label": "示例",
    "states": {
        "a": {"label": "甲", "initial": True, "deadline": {"working_days": 5}},
        "b": {"label": "乙"},
        "c": {"label": "丙", "final": True},
        "x": {"label": "撤回", "final": True},
    },
    "transitions": [
        {"from": "a", "to": "b", "roles": ["town_officer"]},
        {"from": "b", "to": "c", "roles": ["county_approver"], "reason": True, "four_eyes": ["b"]},
        {"from": "*", "to": "x", "action": "撤回"},
    ],
}


def test_wildcard_expands_to_every_open_state() -> None:
    machine = load("demo", BASE)
    assert machine.pairs() == {("a", "b"), ("b", "c"), ("a", "x"), ("b", "x")}
    assert machine.initial.id == "a"
    assert machine.initial.deadline is not None and machine.initial.deadline.label == "5 个工作日"
    assert "a --> b: 乙" in mermaid(machine)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["states"]["b"].update(initial=True), "应有且只有一个初始状态"),
        (lambda m: m["transitions"].append({"from": "c", "to": "a"}), "终态 c 不能再转出"),
        (lambda m: m["transitions"].append({"from": "a", "to": "zz"}), "未声明的状态 zz"),
        (lambda m: m["states"].update(d={"label": "丁"}), "无法到达"),
        (
            lambda m: m["transitions"].__setitem__(1, {"from": "b", "to": "c", "four_eyes": ["q"]}),
            "四眼原则引用了未声明",
        ),
        (lambda m: m["states"]["a"].update(deadline={"weeks": 2}), "deadline 应为"),
        (lambda m: m["transitions"].append({"from": "a", "to": "b"}), "多个转换"),
    ],
)
def test_bad_machines_are_refused(change: object, message: str) -> None:
    import copy

    spec = copy.deepcopy(BASE)
    change(spec)  # type: ignore[operator]
    with pytest.raises(MachineError, match=message):
        load("demo", spec)


def test_trap_state_is_refused() -> None:
    spec = {
        "states": {"a": {"initial": True}, "b": {}, "c": {"final": True}},
        "transitions": [{"from": "a", "to": "b"}, {"from": "a", "to": "c"}],
    }
    with pytest.raises(MachineError, match="没有出口"):
        load("trap", spec)
