"""GB/T 42195-2022 ability assessment as data (data/gbt42195.yaml) plus one pure function.

Django-free: the CLI, the form and the tests call `assess(...)` with plain values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).with_name("data") / "gbt42195.yaml"
ICD10 = re.compile(r"^([A-Z])(\d{2})(?:\.\d{0,2})?$")


class AssessmentInputError(ValueError):
    """Invalid input; `problems` lists every Chinese message (unknown, missing, out-of-range items...)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Standard:
    name: str
    domains: dict[str, dict[str, int]]  # domain → item → maximum, in the standard's order
    levels: list[dict[str, Any]]
    changes: dict[str, Any]
    risk_events: list[str]
    reassess_months: int
    descriptors: dict[str, dict[int, str]]  # item → score → what the score means (Appendix B)

    @property
    def maxima(self) -> dict[str, int]:
        return {item: top for items in self.domains.values() for item, top in items.items()}

    def level_name(self, level: int) -> str:
        return next(row["name"] for row in self.levels if row["level"] == level)

    def level_of_total(self, total: int) -> int:
        """C.3: the first band (from level 0 down) whose lowest total the score reaches."""
        return next(row["level"] for row in self.levels if total >= row["min_total"])


@cache
def standard() -> Standard:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return Standard(
        name=raw["standard"],
        domains={d["name"]: dict(d["items"]) for d in raw["domains"]},
        levels=sorted(raw["levels"], key=lambda row: row["level"]),
        changes=raw["changes"],
        risk_events=list(raw["risk_events"]),
        reassess_months=int(raw["reassess_months"]),
        descriptors={
            item: {len(texts) - 1 - k: text for k, text in enumerate(texts)}
            for item, texts in (raw.get("descriptors") or {}).items()
        },
    )


@dataclass
class Result:
    domains: dict[str, int]
    total: int
    initial_level: int
    final_level: int
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        std = standard()
        return {
            "standard": std.name,
            "domains": self.domains,
            "total": self.total,
            "initial_level": self.initial_level,
            "initial_level_name": std.level_name(self.initial_level),
            "final_level": self.final_level,
            "final_level_name": std.level_name(self.final_level),
            "reasons": self.reasons,
        }


def _item_problems(items: Any, maxima: dict[str, int]) -> list[str]:
    if not isinstance(items, dict):
        return ["items 必须是「评估项目: 得分」的对象"]
    problems = []
    unknown = [name for name in items if name not in maxima]
    if unknown:
        problems.append("未知评估项目：" + "、".join(unknown) + "（GB/T 42195-2022 附录B 无此项）")
    missing = [name for name in maxima if name not in items]
    if missing:
        problems.append("缺少评估项目：" + "、".join(missing))
    for name, score in items.items():
        if name not in maxima:
            continue
        if isinstance(score, bool) or not isinstance(score, int):
            problems.append(f"评估项目「{name}」的得分必须是整数，收到 {score!r}")
        elif not 0 <= score <= maxima[name]:
            problems.append(f"评估项目「{name}」得分 {score} 超出范围 0–{maxima[name]}")
    return problems


def _event_problems(events: Any, kinds: list[str]) -> list[str]:
    if not isinstance(events, dict):
        return ["risk_events_30d 必须是「事件: 次数」的对象"]
    problems = []
    for name, count in events.items():
        if name not in kinds:
            problems.append(f"未知照护风险事件：{name}（应为 {'、'.join(kinds)}）")
        elif isinstance(count, bool) or not isinstance(count, int) or count < 0:
            problems.append(f"照护风险事件「{name}」的次数必须是非负整数，收到 {count!r}")
    return problems


def _diagnosis_problems(diagnoses: Any) -> list[str]:
    if not isinstance(diagnoses, list):
        return ["diagnoses 必须是 ICD-10 编码的列表"]
    bad = [str(d) for d in diagnoses if not isinstance(d, str) or not ICD10.match(d.strip().upper())]
    return ["无法识别的 ICD-10 编码：" + "、".join(bad)] if bad else []


def _mental_reasons(diagnoses: list[str], changes: dict[str, Any]) -> list[str]:
    """C.4 b: dementia F00–F03, or another mental and behavioural disorder F04–F99."""
    low, high = changes["mental_range"]
    reasons = []
    for raw in diagnoses:
        code = raw.strip().upper()
        head = code[:3]
        if head in changes["dementia_codes"]:
            reasons.append(f"确诊为痴呆（{code}，F00–F03），在原有能力级别上提高一个级别")
        elif head[0] == "F" and low <= head <= high:
            reasons.append(f"诊断为其他精神和行为障碍（{code}，F04–F99），在原有能力级别上提高一个级别")
    return reasons


def _risk_reason(events: dict[str, int], changes: dict[str, Any]) -> str | None:
    """C.4 c: the total over all kinds of events in the last 30 days (not the number of kinds)."""
    total = sum(events.values())
    if total < changes["risk_events_min"]:
        return None
    detail = "、".join(f"{name} {n} 次" for name, n in events.items() if n)
    return f"近30天内发生照护风险事件共 {total} 次（{detail}），达到 2 次及以上，在原有能力级别上提高一个级别"


def assess(
    items: dict[str, int],
    *,
    coma: bool = False,
    diagnoses: list[str] | None = None,
    risk_events_30d: dict[str, int] | None = None,
) -> Result:
    """Domain scores, total, initial level (C.3) and final level with every reason (C.4)."""
    std = standard()
    diagnoses = diagnoses or []
    events = risk_events_30d or {}
    problems = _item_problems(items, std.maxima) + _event_problems(events, std.risk_events)
    problems += _diagnosis_problems(diagnoses)
    if not isinstance(coma, bool):
        problems.append("coma 必须是 true 或 false")
    if problems:
        raise AssessmentInputError(problems)
    domains = {name: sum(items[i] for i in members) for name, members in std.domains.items()}
    total = sum(domains.values())
    initial = std.level_of_total(total)
    result = Result(domains, total, initial, initial)
    _apply_changes(result, std, coma=coma, diagnoses=diagnoses, events=events)
    return result


def _apply_changes(result: Result, std: Standard, *, coma: bool, diagnoses: list[str], events: dict[str, int]) -> None:
    changes = std.changes
    top = std.levels[-1]["level"]
    if coma:
        result.final_level = changes["coma_level"]
        result.reasons.append("处于昏迷状态，直接评定为能力完全丧失（完全失能）")
        return
    raising = _mental_reasons(diagnoses, changes)
    risk = _risk_reason(events, changes)
    if risk:
        raising.append(risk)
    if not raising:
        return
    result.reasons.extend(raising)
    steps = len(raising) if changes["stack"] else 1
    if len(raising) > 1 and not changes["stack"]:
        result.reasons.append("以上情形同时存在时只提高一个级别")
    result.final_level = min(result.initial_level + steps, top)
    if result.initial_level + steps > top:
        result.reasons.append("已是能力完全丧失（完全失能），不再提高")


def assess_input(payload: Any) -> Result:
    """The CLI's JSON shape: {"items": {...}, "coma": bool, "diagnoses": [...], "risk_events_30d": {...}}."""
    if not isinstance(payload, dict):
        raise AssessmentInputError(["输入必须是 JSON 对象"])
    unknown = [k for k in payload if k not in {"items", "coma", "diagnoses", "risk_events_30d"}]
    if unknown:
        raise AssessmentInputError(["未知字段：" + "、".join(unknown)])
    if "items" not in payload:
        raise AssessmentInputError(["缺少字段：items"])
    return assess(
        payload["items"],
        coma=payload.get("coma", False),
        diagnoses=payload.get("diagnoses", []),
        risk_events_30d=payload.get("risk_events_30d", {}),
    )
