"""Group commit of audit rows on SQLite: whoever holds the turn writes every row queued so far.

Why: every detail read writes an audit row, and on SQLite each row needs the database's single write
lock. Waiting writers are not queued: SQLite's busy handler sleeps 1, 2, 5 … up to 100 ms between
tries, so under 20 concurrent readers of the household panel 56–60% of request time was spent asleep
in BEGIN IMMEDIATE while the lock sat free (docs/notes/s19_rules.md §3).

Here a request queues its row and, if no other thread is writing, writes every row queued so far,
its own and others', in one transaction with one read of the chain head; otherwise it waits for its
row to be written. No request answers before its audit row is committed, and no extra thread is
involved (a hand-off to a writer thread costs two GIL switches per request).

Only outside a caller's transaction: a write's audit row must commit or roll back with the write,
so inside `atomic` the caller chains its row itself. Only on SQLite: PostgreSQL queues lock waiters
itself (services._chain_head's advisory lock).
"""

from __future__ import annotations

import collections
import threading
from concurrent.futures import Future
from typing import Any

from django.conf import settings
from django.db import connection

from minzheng.audit.models import AuditEvent

# One turn writes at most this many rows; the rest wait for the next turn.
MAX_BATCH = 200
# A request gives up waiting for its row after this long (SQLite's own busy timeout is 30 s).
WAIT_SECONDS = 60

_turn = threading.Lock()
_queued: collections.deque[tuple[dict[str, Any], Future[AuditEvent]]] = collections.deque()


def applies() -> bool:
    """Whether this audit row may be written in a group (see the module docstring)."""
    return (
        getattr(settings, "AUDIT_GROUP_COMMIT", False)
        and not connection.in_atomic_block
        and connection.vendor == "sqlite"
    )


def submit(fields: dict[str, Any]) -> AuditEvent:
    """Chain and store one row, perhaps together with other threads' rows; returns it once committed.

    Whoever finds the turn free writes everything queued, and after each turn looks again: a row
    queued while the turn was held is written by the holder's next look (its owner found the turn
    held only before that release), so no row is left behind. The others wait on their own row,
    not on the turn: they wake the moment it is written instead of passing the turn along one by one.
    """
    done: Future[AuditEvent] = Future()
    _queued.append((fields, done))  # deque.append is atomic: no lock needed to queue
    while _queued and _turn.acquire(blocking=False):
        try:
            _write(_take())
        finally:
            _turn.release()
    return done.result(timeout=WAIT_SECONDS)


def _take() -> list[tuple[dict[str, Any], Future[AuditEvent]]]:
    batch: list[tuple[dict[str, Any], Future[AuditEvent]]] = []
    while _queued and len(batch) < MAX_BATCH:
        batch.append(_queued.popleft())
    return batch


def _write(batch: list[tuple[dict[str, Any], Future[AuditEvent]]]) -> None:
    from minzheng.audit import services  # services imports this module

    try:
        events = services.write_chained([fields for fields, _ in batch])
    except BaseException as error:  # every waiter in the batch must hear of it
        for _, done in batch:
            done.set_exception(error)
        return
    for (_, done), event in zip(batch, events, strict=True):
        done.set_result(event)
