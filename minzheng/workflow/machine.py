"""State machines declared as data (KERNELS §2). Django-free: a dict (from YAML) in, checked dataclasses out.

A machine lists its states (Chinese label, final or not, the stage's own deadline) and its
transitions (who may take them, whether a reason is required, which earlier steps' actors
are barred by four eyes, named guards and effects). `load()` refuses a machine that could
strand a file: one initial state, every state reachable, no exit from a final state, and
every non-final state has a way out (the checks python-statemachine makes at load time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DEADLINE_UNITS = {"working_days", "calendar_days"}


class MachineError(ValueError):
    """A machine definition that cannot be used; the message names the machine and the fault."""


@dataclass(frozen=True)
class Deadline:
    amount: int
    unit: str  # working_days | calendar_days

    @property
    def label(self) -> str:
        return f"{self.amount} 个工作日" if self.unit == "working_days" else f"{self.amount} 日"


@dataclass(frozen=True)
class State:
    id: str
    label: str
    initial: bool = False
    final: bool = False
    deadline: Deadline | None = None
    entry: bool = False  # an object may also be created straight into this state (e.g. 受理 without a draft)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    action: str  # the step's Chinese name, e.g. 审核确认
    roles: frozenset[str] = frozenset()
    reason: bool = False  # a written reason is required
    four_eyes: tuple[str, ...] = ()  # states whose takers may not take this step
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Machine:
    name: str
    label: str
    states: Mapping[str, State]
    transitions: tuple[Transition, ...]
    wildcard_sources: frozenset[str] = field(default_factory=frozenset)

    @property
    def initial(self) -> State:
        return next(s for s in self.states.values() if s.initial)

    def state_label(self, state_id: str) -> str:
        state = self.states.get(state_id)
        return state.label if state else state_id

    def find(self, source: str, target: str) -> Transition | None:
        return next((t for t in self.transitions if t.source == source and t.target == target), None)

    def allowed_from(self, source: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == source]

    def pairs(self) -> set[tuple[str, str]]:
        return {(t.source, t.target) for t in self.transitions}


def _deadline(raw: Any, where: str) -> Deadline | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in DEADLINE_UNITS:
        raise MachineError(f"{where}：deadline 应为 {{working_days: n}} 或 {{calendar_days: n}}")
    unit, amount = next(iter(raw.items()))
    if not isinstance(amount, int) or amount < 0:
        raise MachineError(f"{where}：deadline 天数应为非负整数")
    return Deadline(amount, unit)


def _states(name: str, raw: Mapping[str, Any]) -> dict[str, State]:
    states = {}
    for sid, spec in raw.items():
        spec = spec or {}
        states[sid] = State(
            id=sid,
            label=str(spec.get("label") or sid),
            initial=bool(spec.get("initial")),
            final=bool(spec.get("final")),
            entry=bool(spec.get("entry") or spec.get("initial")),
            deadline=_deadline(spec.get("deadline"), f"流程 {name} 状态 {sid}"),
        )
    return states


def _expand_sources(raw: Any, states: Mapping[str, State]) -> list[str]:
    # "*" means every non-final state (e.g. 撤回 at any time before a decision).
    if raw == "*":
        return [s.id for s in states.values() if not s.final]
    return [raw] if isinstance(raw, str) else list(raw)


def _transitions(name: str, raw: Iterable[Mapping[str, Any]], states: Mapping[str, State]) -> list[Transition]:
    out = []
    for spec in raw:
        target = spec["to"]
        for source in _expand_sources(spec["from"], states):
            if source == target:
                continue
            out.append(
                Transition(
                    source=source,
                    target=target,
                    action=str(spec.get("action") or states.get(target, State(target, target)).label),
                    roles=frozenset(spec.get("roles") or ()),
                    reason=bool(spec.get("reason")),
                    four_eyes=tuple(spec.get("four_eyes") or ()),
                    guards=tuple(spec.get("guards") or ()),
                    effects=tuple(spec.get("effects") or ()),
                )
            )
    return out


def load(name: str, raw: Mapping[str, Any]) -> Machine:
    """Build and check a machine from its declaration (a YAML mapping with `states` and `transitions`)."""
    states = _states(name, raw.get("states") or {})
    transitions = _transitions(name, raw.get("transitions") or (), states)
    machine = Machine(name=name, label=str(raw.get("label") or name), states=states, transitions=tuple(transitions))
    check(machine)
    return machine


def check(machine: Machine) -> None:
    name, states = machine.name, machine.states
    initials = [s.id for s in states.values() if s.initial]
    if len(initials) != 1:
        raise MachineError(f"流程 {name}：应有且只有一个初始状态，现有 {initials}")
    for t in machine.transitions:
        for end in (t.source, t.target):
            if end not in states:
                raise MachineError(f"流程 {name}：转换 {t.source}→{t.target} 引用了未声明的状态 {end}")
        if states[t.source].final:
            raise MachineError(f"流程 {name}：终态 {t.source} 不能再转出（{t.source}→{t.target}）")
        for barred in t.four_eyes:
            if barred not in states:
                raise MachineError(f"流程 {name}：{t.source}→{t.target} 的四眼原则引用了未声明的状态 {barred}")
    if len(machine.pairs()) != len(machine.transitions):
        raise MachineError(f"流程 {name}：同一对状态之间声明了多个转换")
    _check_reachable(machine, initials[0])


def _check_reachable(machine: Machine, initial: str) -> None:
    seen, todo = {initial}, [initial]
    while todo:
        for t in machine.allowed_from(todo.pop()):
            if t.target not in seen:
                seen.add(t.target)
                todo.append(t.target)
    unreachable = sorted(set(machine.states) - seen)
    if unreachable:
        raise MachineError(f"流程 {machine.name}：状态 {unreachable} 无法到达")
    traps = sorted(s.id for s in machine.states.values() if not s.final and not machine.allowed_from(s.id))
    if traps:
        raise MachineError(f"流程 {machine.name}：非终态 {traps} 没有出口")


def mermaid(machine: Machine) -> str:
    """The machine as a Mermaid state diagram (for docs and the case-type page)."""
    lines = ["stateDiagram-v2", f"    [*] --> {machine.initial.id}"]
    lines += [f"    {t.source} --> {t.target}: {t.action}" for t in machine.transitions]
    lines += [f"    {s.id} --> [*]" for s in machine.states.values() if s.final]
    return "\n".join(lines)
