"""Database triggers that make the audit table append-only, and the one sanctioned way past them.

Refused in the database, whatever the Python path (model, `_base_manager`, raw SQL):
- SQLite: UPDATE and DELETE (row triggers).
- PostgreSQL: UPDATE and DELETE (row trigger) and TRUNCATE (statement trigger).

The only statement that may empty the table is Django's `flush` (pytest-django runs it after
every transactional test; an operator runs `manage.py flush` only to wipe the whole database).
SQLite flushes with a plain DELETE and PostgreSQL with TRUNCATE, which a trigger cannot tell
from an attacker's. So the `flush` command of this app (management/commands/flush.py) removes
the flush-blocking trigger for the length of the flush and puts it back. Dropping a trigger
needs ownership of the table: under the grants of docs/deploy-postgresql.md the application
role cannot do it, and `flush` is refused there as it should be.

`EXECUTE PROCEDURE`, not `EXECUTE FUNCTION`: servers derived from older PostgreSQL (openGauss)
know only this spelling. SQLSTATE 23001 (restrict_violation) makes Django raise IntegrityError.
"""

from __future__ import annotations

from typing import Any

MESSAGE = "审计日志只增不改"
TABLE = "audit_auditevent"

PG_FUNCTION = f"""CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END; $$ LANGUAGE plpgsql"""

# name -> (create, drop). The flush-blocking trigger of each vendor is FLUSH_BLOCKER.
TRIGGERS: dict[str, dict[str, tuple[str, str]]] = {
    "sqlite": {
        "audit_no_update": (
            f"CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            "DROP TRIGGER IF EXISTS audit_no_update",
        ),
        "audit_no_delete": (
            f"CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            "DROP TRIGGER IF EXISTS audit_no_delete",
        ),
    },
    "postgresql": {
        "audit_append_only": (
            f"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE PROCEDURE audit_append_only()",
            f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
        ),
        "audit_no_truncate": (
            f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE PROCEDURE audit_append_only()",
            f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
        ),
    },
}
FLUSH_BLOCKER = {"sqlite": "audit_no_delete", "postgresql": "audit_no_truncate"}


def _execute(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: Any) -> None:
    """Create every trigger of this vendor (a vendor without an entry gets none, not a failed migration)."""
    triggers = TRIGGERS.get(connection.vendor, {})
    head = [PG_FUNCTION] if connection.vendor == "postgresql" else []
    _execute(connection, head + [drop for _, drop in triggers.values()] + [create for create, _ in triggers.values()])


def remove(connection: Any) -> None:
    triggers = TRIGGERS.get(connection.vendor, {})
    _execute(connection, [drop for _, drop in triggers.values()])


def flush_blocker(connection: Any) -> tuple[str, str] | None:
    """(create, drop) of the trigger that refuses what this vendor's flush does, if any."""
    name = FLUSH_BLOCKER.get(connection.vendor)
    return TRIGGERS[connection.vendor][name] if name else None
