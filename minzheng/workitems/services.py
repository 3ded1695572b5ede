"""Writing 待办: upsert by fingerprint, resolve by action or by the producer, one audit row per human act."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.workitems.models import WorkItem


@dataclass(frozen=True)
class ItemSpec:
    """What a producer says should be on someone's list."""

    source: str
    kind: str
    title: str
    subject_type: str
    subject_id: str
    division_code: str
    role: str
    fingerprint: str
    due_on: dt.date | None = None
    data: dict[str, Any] = field(default_factory=dict)


# A producer yields the items that should be open now; `refresh` makes the table agree.
Producer = Callable[[], Iterable[ItemSpec]]
PRODUCERS: dict[str, Producer] = {}
KIND_LABELS: dict[str, str] = {}


@dataclass(frozen=True)
class Action:
    """A one-click way to settle an item (应享未享 → draft an application; 死亡 → open a 停保复核).

    `run(item, actor, client_ip)` does the work and returns (resolution text, where to go next).
    """

    key: str
    label: str
    kinds: frozenset[str]
    roles: frozenset[str]
    run: Callable[[WorkItem, Any, str], tuple[str, str]]


ACTIONS: dict[str, Action] = {}
# Told when an item is settled by a person, so the queue it mirrors (a worklist row) is marked too.
ON_RESOLVE: dict[str, Callable[[WorkItem, Any, str], None]] = {}


def action(key: str, label: str, *, kinds: Iterable[str], roles: Iterable[str]) -> Callable[[Any], Any]:
    def register(
        fn: Callable[[WorkItem, Any, str], tuple[str, str]],
    ) -> Callable[[WorkItem, Any, str], tuple[str, str]]:
        ACTIONS[key] = Action(key, label, frozenset(kinds), frozenset(roles), fn)
        return fn

    return register


def actions_for(item: WorkItem, user: Any) -> list[Action]:
    return [a for a in ACTIONS.values() if item.kind in a.kinds and getattr(user, "role", None) in a.roles]


def producer(source: str, kinds: dict[str, str]) -> Callable[[Producer], Producer]:
    """Register a producer (from the app's AppConfig.ready) and the Chinese names of its kinds."""

    def register(fn: Producer) -> Producer:
        PRODUCERS[source] = fn
        KIND_LABELS.update(kinds)
        return fn

    return register


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def item_upsert(spec: ItemSpec) -> WorkItem:
    """Create the item, or bring an open one up to date; a resolved item stays resolved."""
    fields = {
        "source": spec.source,
        "kind": spec.kind,
        "title": spec.title[:200],
        "subject_type": spec.subject_type,
        "subject_id": spec.subject_id,
        "division_code": spec.division_code,
        "role": spec.role,
        "due_on": spec.due_on,
        "data": spec.data,
    }
    item, created = WorkItem.objects.get_or_create(fingerprint=spec.fingerprint, defaults=fields)
    if not created and item.status == WorkItem.Status.OPEN:
        changed = {k: v for k, v in fields.items() if getattr(item, k) != v}
        if changed:
            WorkItem.objects.filter(pk=item.pk).update(**changed)
            for key, value in changed.items():
                setattr(item, key, value)
    return item


def items_close_by_producer(fingerprints: Iterable[str], resolution: str) -> int:
    """The fact behind these items is gone (the stage moved on, the 公示 ended): close them."""
    return WorkItem.objects.filter(fingerprint__in=list(fingerprints), status=WorkItem.Status.OPEN).update(
        status=WorkItem.Status.RESOLVED, resolution=resolution[:300], resolved_at=timezone.now()
    )


def refresh(source: str) -> dict[str, int]:
    """Run one producer: upsert what it yields, close its open items it no longer yields. Idempotent."""
    seen: set[str] = set()
    with transaction.atomic():
        for spec in PRODUCERS[source]():
            item_upsert(spec)
            seen.add(spec.fingerprint)
        stale = WorkItem.objects.filter(source=source, status=WorkItem.Status.OPEN).exclude(fingerprint__in=seen)
        closed = stale.update(
            status=WorkItem.Status.RESOLVED, resolution="情况已变化，自动办结", resolved_at=timezone.now()
        )
    return {"open": len(seen), "closed": closed}


def refresh_all() -> dict[str, dict[str, int]]:
    """Every registered producer, one after another (the scheduler runs this every few minutes)."""
    return {source: refresh(source) for source in sorted(PRODUCERS)}


class WorkItemError(ValueError):
    """Refused with a Chinese reason."""


def item_resolve(
    item: WorkItem, *, actor: Actor, resolution: str, status: str = WorkItem.Status.RESOLVED, client_ip: str = ""
) -> WorkItem:
    """A person settles an item; compare-and-set so two people cannot both settle it."""
    if not resolution.strip():
        raise WorkItemError("请填写处理结果")
    with transaction.atomic():
        won = WorkItem.objects.filter(pk=item.pk, status=WorkItem.Status.OPEN).update(
            status=status, resolution=resolution.strip()[:300], resolved_by=actor, resolved_at=timezone.now()
        )
        if won != 1:
            raise WorkItemError("该待办已被处理")
        audit_record(
            actor=actor,
            action="update",
            object_type="workitem",
            object_id=item.pk,
            summary=f"处理待办：{item.title}",
            reason=resolution.strip()[:500],
            client_ip=client_ip,
        )
        item.refresh_from_db()
        hook = ON_RESOLVE.get(item.source)
        if hook is not None:
            hook(item, actor, client_ip)
    return item


def item_act(item: WorkItem, key: str, *, actor: Actor, client_ip: str = "") -> str:
    """Run a one-click action and settle the item with its result, all or nothing; returns where to go."""
    chosen = next((a for a in actions_for(item, actor) if a.key == key), None)
    if chosen is None:
        raise WorkItemError("该待办不能这样处理")
    with transaction.atomic():
        resolution, url = chosen.run(item, actor, client_ip)
        item_resolve(item, actor=actor, resolution=resolution, client_ip=client_ip)
    return url
