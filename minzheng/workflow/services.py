"""The one transition service (KERNELS §2) every machine-driven object goes through.

`transition()` checks the step against the object's machine (allowed pair, role, reason,
four eyes, named guards, the real date), then in one transaction moves the state with a
compare-and-set UPDATE (`WHERE pk = ? AND state = <the state we checked>`: of two people
confirming at once exactly one wins, on SQLite and PostgreSQL alike, without
select_for_update), writes one history row and one typed audit event, and schedules the
step's effects for after commit. Refusals raise TransitionRefused with a Chinese message
naming both states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.workdays.selectors import add_working_days
from minzheng.workflow.machine import Deadline, Machine, Transition
from minzheng.workflow.models import TransitionLog

SYSTEM = "system"  # the role name a transition lists when the scheduler may take it
AUDIT_OMIT = {"screening", "target"}  # bulky or derived; kept in TransitionLog.data

Guard = Callable[[Any, Any, dict[str, Any]], str | None]  # (obj, actor, data) → refusal message or None
Effect = Callable[[Any, TransitionLog], None]
GUARDS: dict[str, Guard] = {}
EFFECTS: dict[str, Effect] = {}


class TransitionRefused(ValueError):
    """A step the machine, the roles or four eyes do not allow; `code` says which, the message is Chinese."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Binding:
    """How a model runs on machines: which field holds the state, where the stage deadline goes."""

    object_type: str
    machine: Callable[[Any], Machine]
    state_field: str = "status"
    due_field: str | None = None


BINDINGS: dict[type[models.Model], Binding] = {}


def bind(model: type[models.Model], binding: Binding) -> None:
    BINDINGS[model] = binding


def guard(name: str) -> Callable[[Guard], Guard]:
    def register(fn: Guard) -> Guard:
        GUARDS[name] = fn
        return fn

    return register


def effect(name: str) -> Callable[[Effect], Effect]:
    def register(fn: Effect) -> Effect:
        EFFECTS[name] = fn
        return fn

    return register


def binding_for(obj: models.Model) -> Binding:
    try:
        return BINDINGS[type(obj)]
    except KeyError:
        raise LookupError(f"{type(obj).__name__} 未登记流程") from None


def due_date(deadline: Deadline | None, start: dt.date) -> dt.date | None:
    if deadline is None:
        return None
    if deadline.unit == "working_days":
        return add_working_days(start, deadline.amount)
    return start + dt.timedelta(days=deadline.amount)


def history(obj: models.Model) -> list[TransitionLog]:
    b = binding_for(obj)
    return list(TransitionLog.objects.filter(object_type=b.object_type, object_id=str(obj.pk)).order_by("id"))


def takers(obj: models.Model, states: tuple[str, ...]) -> set[int]:
    """Ids of everyone who moved this object into any of these states (or started it there)."""
    b = binding_for(obj)
    rows = TransitionLog.objects.filter(object_type=b.object_type, object_id=str(obj.pk), target__in=states)
    return {pk for pk in rows.values_list("actor_id", flat=True) if pk is not None}


def _refuse_step(machine: Machine, current: str, to: str) -> Transition:
    step = machine.find(current, to)
    if step is None:
        raise TransitionRefused(
            f"当前为「{machine.state_label(current)}」，不能转为「{machine.state_label(to)}」", "wrong_state"
        )
    return step


def _check_actor(obj: models.Model, step: Transition, actor: Actor, reason: str) -> None:
    role = getattr(actor, "role", None) if actor is not None else SYSTEM
    if step.roles and role not in step.roles:
        label = getattr(actor, "role_label", "") or "系统"
        raise TransitionRefused(f"「{label}」不能办理「{step.action}」", "role")
    if step.reason and not reason.strip():
        raise TransitionRefused(f"办理「{step.action}」须填写理由或意见", "reason")
    if step.four_eyes and actor is not None and actor.pk in takers(obj, step.four_eyes):
        raise TransitionRefused(
            f"四眼原则：您已办理过本件的前一环节，不能再办理「{step.action}」，请由另一位工作人员办理", "four_eyes"
        )


def _check_guards(obj: models.Model, step: Transition, actor: Actor, data: dict[str, Any]) -> None:
    for name in step.guards:
        message = GUARDS[name](obj, actor, data)
        if message:
            raise TransitionRefused(message, "guard")


def _real_date(obj: models.Model, on: dt.date | None) -> dt.date:
    """The day the step really took place: not in the future, not before the previous step."""
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise TransitionRefused(f"办理日期 {on} 晚于今天，不能预先登记", "date")
    b = binding_for(obj)
    last = (
        TransitionLog.objects.filter(object_type=b.object_type, object_id=str(obj.pk))
        .order_by("-id")
        .values_list("on", flat=True)
        .first()
    )  # only the previous step's date matters, not the whole history
    if last is not None and on < last:
        raise TransitionRefused(f"办理日期 {on} 早于上一环节（{last}）", "date")
    return on


def start(
    obj: models.Model,
    *,
    actor: Actor | None,
    on: dt.date | None = None,
    reason: str = "",
    client_ip: str = "",
    state: str | None = None,
) -> None:
    """Record the object's entry into its initial (or a declared entry) state, in the transaction that created it."""
    b = binding_for(obj)
    machine = b.machine(obj)
    initial = machine.states[state] if state else machine.initial
    if not initial.entry:
        raise TransitionRefused(f"不能直接以「{initial.label}」开始", "wrong_state")
    day = on or timezone.localdate()
    fields: dict[str, Any] = {}
    if b.due_field:
        fields[b.due_field] = due_date(initial.deadline, day)
        type(obj)._default_manager.filter(pk=obj.pk).update(**fields)
        setattr(obj, b.due_field, fields[b.due_field])
    _log(obj, b, machine, "", initial.id, initial.label, actor=actor, on=day, reason=reason, data={}, ip=client_ip)


def transition(
    obj: models.Model,
    to: str,
    *,
    actor: Actor,
    reason: str = "",
    data: dict[str, Any] | None = None,
    on: dt.date | None = None,
    changes: dict[str, Any] | None = None,
    client_ip: str = "",
) -> TransitionLog:
    """Move `obj` to state `to`; `changes` are other fields written in the same UPDATE."""
    b = binding_for(obj)
    machine = b.machine(obj)
    current = getattr(obj, b.state_field)
    data = dict(data or {})
    step = _refuse_step(machine, current, to)
    _check_actor(obj, step, actor, reason)
    _check_guards(obj, step, actor, data)
    with transaction.atomic():
        day = _real_date(obj, on)
        fields = {b.state_field: to, **(changes or {})}
        if b.due_field:
            fields[b.due_field] = due_date(machine.states[to].deadline, day)
        won = type(obj)._default_manager.filter(pk=obj.pk, **{b.state_field: current}).update(**fields)
        if won != 1:
            now = type(obj)._default_manager.filter(pk=obj.pk).values_list(b.state_field, flat=True).first()
            label = machine.state_label
            raise TransitionRefused(
                f"本件已被他人处理：当前为「{label(now or '')}」，不能再从「{label(current)}」转为「{label(to)}」",
                "conflict",
            )
        log = _log(
            obj, b, machine, current, to, step.action, actor=actor, on=day, reason=reason, data=data, ip=client_ip
        )
        for name in step.effects:
            transaction.on_commit(partial(EFFECTS[name], obj, log))
    for key, value in fields.items():
        setattr(obj, key, value)
    return log


def _log(
    obj: models.Model,
    b: Binding,
    machine: Machine,
    source: str,
    target: str,
    action: str,
    *,
    actor: Actor | None,
    on: dt.date,
    reason: str,
    data: dict[str, Any],
    ip: str,
) -> TransitionLog:
    user = actor if actor is not None and actor.is_authenticated else None
    log = TransitionLog.objects.create(
        machine=machine.name,
        object_type=b.object_type,
        object_id=str(obj.pk),
        source=source,
        target=target,
        action=action,
        actor=user,
        actor_username=getattr(actor, "username", "") or "系统",
        on=on,
        reason=reason,
        data=data,
    )
    summary = (
        f"{machine.label} {action}：{machine.state_label(source) if source else '开始'} → {machine.state_label(target)}"
    )
    audit_record(
        actor=actor,
        action="transition",
        object_type=b.object_type,
        object_id=obj.pk,
        summary=summary,
        reason=reason,
        client_ip=ip,
        # The step's own data goes into the tamper-evident chain too (phone time, caregiver, survey …);
        # the engine's screening is left in the history row, where the case page reads it.
        data={
            "from": source,
            "to": target,
            "on": on.isoformat(),
            "log": log.pk,
            "step": {k: v for k, v in data.items() if k not in AUDIT_OMIT},
        },
    )
    return log
