"""Writing 待办: upsert by fingerprint, resolve by action or by the producer, one audit row per human act."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

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


class WorkItemError(ValueError):
    """Refused with a Chinese reason."""


def item_resolve(
    item: WorkItem, *, actor: Any, resolution: str, status: str = WorkItem.Status.RESOLVED, client_ip: str = ""
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
    return item
