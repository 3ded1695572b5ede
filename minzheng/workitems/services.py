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
# Told when an item is settled by a person, so the record it follows (a fraud flag, an entitlement) moves too.
ON_RESOLVE: dict[str, Callable[[WorkItem, Any, str], None]] = {}
# Who else may settle a source's items besides the role they are addressed to: the readers of the
# lists built on them (the two worklist pages), registered with the producer.
SETTLERS: dict[str, Callable[[Any], bool]] = {}


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


# What a producer may change on an open item (everything but the fingerprint and the settlement).
SYNC_FIELDS = ["source", "kind", "title", "subject_type", "subject_id", "division_code", "role", "due_on", "data"]


def _fields(spec: ItemSpec) -> dict[str, Any]:
    return {
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


def item_upsert(spec: ItemSpec) -> WorkItem:
    """Create the item, or bring an open one up to date; a resolved item stays resolved."""
    fields = _fields(spec)
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


CHUNK = 2000  # fingerprints per IN (…): well under SQLite's bound on parameters


def field_by_pk(model: Any, ids: Iterable[int], field: str) -> dict[int, Any]:
    """pk → one field, read in chunks: what a bulk producer needs for its titles (household no., name)."""
    ordered = sorted({i for i in ids if i})
    found: dict[int, Any] = {}
    for start in range(0, len(ordered), CHUNK):
        found.update(model.objects.filter(pk__in=ordered[start : start + CHUNK]).values_list("pk", field))
    return found


def _existing(fingerprints: list[str]) -> dict[str, WorkItem]:
    found: dict[str, WorkItem] = {}
    for start in range(0, len(fingerprints), CHUNK):
        for item in WorkItem.objects.filter(fingerprint__in=fingerprints[start : start + CHUNK]):
            found[item.fingerprint] = item
    return found


def items_sync(
    source: str,
    specs: Iterable[ItemSpec],
    *,
    within: str | None = "",
    resolution: str = "情况已变化，自动办结",
) -> dict[str, int]:
    """Make the source's items agree with what a producer yields, in bulk; idempotent.

    New facts open items, open items follow their fact's latest text, resolved items stay resolved
    (a fact settled once is not put back on anyone's list by the next run). Open items of the source
    whose division lies `within` the prefix and that were not yielded are closed; `within=None`
    closes nothing (a producer that only ever adds, such as the verification diff).
    """
    wanted = {spec.fingerprint: spec for spec in specs}
    with transaction.atomic():
        existing = _existing(list(wanted))
        fresh = [WorkItem(fingerprint=fp, **_fields(s)) for fp, s in wanted.items() if fp not in existing]
        WorkItem.objects.bulk_create(fresh, batch_size=CHUNK)
        changed = []
        for fp, item in existing.items():
            if item.status != WorkItem.Status.OPEN:  # settled stays settled: nothing to compare
                continue
            fields = _fields(wanted[fp])
            if any(getattr(item, k) != v for k, v in fields.items()):
                for key, value in fields.items():
                    setattr(item, key, value)
                changed.append(item)
        WorkItem.objects.bulk_update(changed, SYNC_FIELDS, batch_size=CHUNK)
        closed = 0 if within is None else _close_unseen(source, within, set(wanted), resolution)
    return {"open": len(wanted), "created": len(fresh), "updated": len(changed), "closed": closed}


def _close_unseen(source: str, within: str, seen: set[str], resolution: str) -> int:
    from minzheng.core.jurisdiction import prefix_q

    open_items = WorkItem.objects.filter(source=source, status=WorkItem.Status.OPEN).filter(
        prefix_q("division_code", within)
    )
    stale = [pk for pk, fp in open_items.values_list("pk", "fingerprint") if fp not in seen]
    closed = 0
    for start in range(0, len(stale), CHUNK):
        closed += WorkItem.objects.filter(pk__in=stale[start : start + CHUNK], status=WorkItem.Status.OPEN).update(
            status=WorkItem.Status.RESOLVED, resolution=resolution[:300], resolved_at=timezone.now()
        )
    return closed


def refresh(source: str) -> dict[str, int]:
    """Run one producer: upsert what it yields, close its open items it no longer yields. Idempotent."""
    result = items_sync(source, PRODUCERS[source]())
    return {"open": result["open"], "closed": result["closed"]}


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
