"""Case types as data: one YAML file per type under `types/`, loaded and checked once.

A type names its subject (household or person), the rules policy that screens and prices
it, its legal basis, its deadlines, its materials checklist and its machine. `extends`
copies another type's keys and overrides the ones the file gives (特困, 边缘 and 临时救助
adapt 低保's procedure).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from minzheng.workflow.machine import Machine, MachineError, load

TYPES_DIR = Path(__file__).parent / "types"
SUBJECTS = {"household", "person"}


@dataclass(frozen=True)
class MaterialSpec:
    key: str
    label: str
    fetched_by: str = ""  # a data source that replaces the paper (零证明)
    field: str = ""  # a case field that, when filled, means the item is received
    optional: bool = False


@dataclass(frozen=True)
class CaseType:
    id: str
    name: str
    prefix: str
    subject: str
    policy: str
    legal_basis: tuple[dict[str, str], ...]
    total_param: str
    total_default: int
    total_source: str
    rejection_letter_days: int
    publicity_days: int
    confirm_level_param: str
    materials: tuple[MaterialSpec, ...]
    machine: Machine
    # Which states ask the rules engine again, and which are decisions (approve / reject).
    screen_at: frozenset[str] = frozenset({"reviewed", "confirmed", "rejected"})
    decisions: dict[str, bool] | None = None
    letters: dict[str, str] | None = None  # decision state → letter kind (default: 批准 / 不予批准)

    def letter_for(self, state: str) -> str | None:
        default = {s: ("approved" if ok else "rejected") for s, ok in (self.decisions or {}).items()}
        return (self.letters or default or {"confirmed": "approved", "rejected": "rejected"}).get(state)

    @property
    def final_states(self) -> frozenset[str]:
        return frozenset(s.id for s in self.machine.states.values() if s.final)

    @property
    def applied_for(self) -> bool:
        """A resident applies for it at the window (停保复核 is opened by the office, not applied for)."""
        return "accepted" in self.machine.states

    def decision_of(self, state: str) -> bool | None:
        """True when entering `state` approves, False when it refuses, None when it decides nothing."""
        return (self.decisions or {"confirmed": True, "rejected": False}).get(state)

    def total_working_days(self, region_code: str, on: dt.date) -> int:
        """The whole-procedure limit in force here: a county's shorter parameter, else the national one."""
        from minzheng.rules.params_db import resolve

        value = resolve(self.total_param, region_code, on)
        return int(value.value) if value is not None else self.total_default

    def confirm_by_town(self, region_code: str, on: dt.date) -> bool:
        from minzheng.rules.params_db import resolve

        value = resolve(self.confirm_level_param, region_code, on) if self.confirm_level_param else None
        return bool(value is not None and int(value.value))


def _raw(name: str) -> dict[str, Any]:
    path = TYPES_DIR / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    parent = data.pop("extends", None)
    return {**_raw(parent), **data} if parent else data


def _build(raw: dict[str, Any]) -> CaseType:
    tid = raw["id"]
    if raw.get("subject") not in SUBJECTS:
        raise MachineError(f"案件类型 {tid}：subject 应为 household 或 person")
    total = raw["deadlines"]["total"]
    return CaseType(
        id=tid,
        name=raw["name"],
        prefix=raw["prefix"],
        subject=raw["subject"],
        policy=raw["policy"],
        legal_basis=tuple(raw.get("legal_basis") or ()),
        total_param=total["param"],
        total_default=int(total["default"]),
        total_source=str(total["source"]),
        rejection_letter_days=int(raw["deadlines"]["rejection_letter"]["working_days"]),
        publicity_days=int(raw["publicity_days"]),
        confirm_level_param=str(raw.get("confirm_level_param") or ""),
        materials=tuple(MaterialSpec(**m) for m in raw["materials"]),
        machine=load(tid, raw["machine"]),
        screen_at=frozenset(raw.get("screen_at") or ("reviewed", "confirmed", "rejected")),
        decisions={k: v == "approve" for k, v in (raw.get("decisions") or {}).items()} or None,
        letters=dict(raw.get("letters") or {}) or None,
    )


@cache
def case_types() -> dict[str, CaseType]:
    names = sorted(p.stem for p in TYPES_DIR.glob("*.yaml"))
    return {name: _build(_raw(name)) for name in names}


def finals_of_any_type() -> frozenset[str]:
    """States that end a case in some type: a case in one is closed (no id is final in one type, open in another)."""
    return frozenset().union(*(t.final_states for t in case_types().values()))


def finals_of_every_type() -> frozenset[str]:
    """States that end a case whatever its type: safe to exclude before looking at each case's own type."""
    return frozenset.intersection(*(t.final_states for t in case_types().values()))


def case_type(tid: str) -> CaseType:
    try:
        return case_types()[tid]
    except KeyError:
        raise LookupError(f"未知的案件类型：{tid}") from None
