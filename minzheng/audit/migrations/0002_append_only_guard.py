"""Database-level guard: the audit log is append-only even for queryset .update()/.delete().

AuditEvent.save()/delete() refuse in Python, but `QuerySet.update()`, `QuerySet.delete()`
and raw SQL never call them. These triggers close that gap in the database itself.

PostgreSQL: a row trigger refuses UPDATE and DELETE. Django's flush (between
transactional tests, `manage.py flush`) is TRUNCATE, which row triggers do not see;
the application itself never issues TRUNCATE.
SQLSTATE 23001 (restrict_violation) makes Django raise IntegrityError, as on SQLite.
`EXECUTE PROCEDURE`, not PostgreSQL 11's `EXECUTE FUNCTION`: PostgreSQL still accepts it,
and servers derived from older PostgreSQL (openGauss comes from 9.2) know only this spelling.

SQLite: a trigger refuses UPDATE. DELETE is NOT refused in the database, deliberately:
Django's SQLite flush is a plain `DELETE FROM "audit_auditevent";` (checked in
django/db/backends/sqlite3/operations.py, Django 5.2), and a row trigger cannot tell it
from an application's delete (the table order of the flush is a set's order, so no
"other table already empty" condition works either). Blocking DELETE would break every
transactional test (live_server, background-thread jobs). On SQLite the model's delete()
guards the Python path; an ORM-level queryset guard belongs in the model's manager.

A side effect worth knowing: deleting a User that has audit rows fails on both databases
(on_delete=SET_NULL is an UPDATE of audit rows). Accounts are deactivated, never deleted.
"""

from __future__ import annotations

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '审计日志只增不改' USING ERRCODE = 'restrict_violation'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
FOR EACH ROW EXECUTE PROCEDURE audit_append_only();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent; DROP FUNCTION IF EXISTS audit_append_only();"
SQLITE_UP = """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, '审计日志只增不改'); END;"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_no_update;"


def _run(schema_editor, sql: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    # A backend with no entry here gets no trigger rather than a failed migration.
    statement = sql.get(schema_editor.connection.vendor)
    if statement:
        schema_editor.execute(statement)


def forwards(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    _run(schema_editor, {"postgresql": PG_UP, "sqlite": SQLITE_UP})


def backwards(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    _run(schema_editor, {"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
