"""Database-level guard: the audit log is append-only even for queryset .update()/.delete().

PostgreSQL: a row trigger refuses UPDATE and DELETE. (Django's test flush uses
TRUNCATE, which row triggers do not see; TRUNCATE needs the table owner, i.e. the
DBA, not the application.)
SQLite: a trigger refuses UPDATE. DELETE is refused by the model only, because
Django's SQLite flush (used between transactional tests) is a plain DELETE.
"""

from __future__ import annotations

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '审计日志只增不改'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent; DROP FUNCTION IF EXISTS audit_append_only();"
SQLITE_UP = """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, '审计日志只增不改'); END;"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_no_update;"


def _run(schema_editor, sql: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
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
