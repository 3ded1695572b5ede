"""Writing audit rows. Every write, detail read, export and unmasking calls this."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from minzheng.accounts.types import Recorder
from minzheng.audit import chain, group
from minzheng.audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str:
    # X-Forwarded-For only from a configured trusted proxy (MINZHENG_TRUSTED_PROXIES).
    from minzheng.accounts.netaddr import request_client_ip

    return request_client_ip(request)


def audit_record(
    *,
    actor: Recorder,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    reason: str = "",
    client_ip: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    fields = {
        "actor_id": actor.pk if actor is not None and authenticated else None,
        "actor_username": (getattr(actor, "username", "") or ("系统" if actor is None else ""))[:150],
        "action": action[:32],
        "object_type": object_type[:32],
        "object_id": str(object_id)[:64],
        "summary": summary[:500],
        "reason": reason[:500],
        "client_ip": client_ip[:45],
        # What the JSON column gives back (tuples become lists, keys strings): the hash must match it.
        "data": json.loads(json.dumps(data or {})),
    }
    if group.applies():
        return group.submit(fields)
    return write_chained([fields])[0]


def write_chained(rows: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append rows to the chain in the given order, holding the chain head until the transaction ends.

    No savepoint inside a caller's transaction: it costs two statements per row, and a failed audit
    write must fail the caller's whole transaction anyway (no write without its audit).
    """
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _chain_head()
        events = []
        for fields in rows:
            seq += 1
            row = {**fields, "seq": seq, "at": timezone.now()}
            digest = chain.link(prev_hash, row)
            events.append(AuditEvent(**row, prev_hash=prev_hash, hash=digest))
            prev_hash = digest
        return AuditEvent.objects.bulk_create(events)


# Any constant works; this one spells "audit" so it is recognisable in pg_locks.
CHAIN_LOCK = 0x61756469
HEAD_SQL = "SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1"


def _chain_head() -> tuple[int, str]:
    """The last chained row's (seq, hash), held until this transaction ends so writers never fork.

    PostgreSQL: a transaction-scoped advisory lock (no row to UPDATE, so the application role
    needs only INSERT and SELECT on the audit table). SQLite: every transaction begins IMMEDIATE
    (settings.DATABASES), so the write lock is already held; a DEFERRED one could not fork the
    chain either, WAL refuses to upgrade a stale read snapshot to a write (SQLITE_BUSY_SNAPSHOT).
    """
    # Raw SQL: the ORM spends ten times longer composing this query than the database answering it.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two statements, one round trip. Not one statement: a READ COMMITTED statement reads the
            # snapshot taken when it starts, before the lock was granted, and would miss the last row.
            cursor.execute(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK}); {HEAD_SQL}")
            cursor.nextset()
        else:
            cursor.execute(HEAD_SQL)
        last = cursor.fetchone()
    return (last[0], last[1]) if last else (0, chain.GENESIS)
