"""The documented PostgreSQL grants: the application role writes audit rows and cannot remove them."""

from __future__ import annotations

import os

import pytest
from django.db import DatabaseError, connection, transaction
from typer.testing import CliRunner

from minzheng.audit import cli as _registers_audit_commands  # noqa: F401
from minzheng.audit.grants import grants_sql
from minzheng.audit.services import audit_record
from minzheng.cli import app

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and grants are PostgreSQL's")

# CREATE ROLE is transactional: the test's rollback removes the role again.
ROLE = f"mz_audit_app_{os.getpid()}"


def _as_app(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        cursor.execute(sql)


@pytest.fixture
def app_role(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
        for statement in grants_sql(app_role=ROLE).splitlines():
            cursor.execute(statement)


@postgresql_only
def test_app_role_inserts_but_cannot_update_delete_or_truncate(app_role: None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        assert audit_record(actor=None, action="view", summary="应用账号写入").seq == 1
    for statement in (
        "UPDATE audit_auditevent SET summary = '篡改'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "DROP TRIGGER audit_no_truncate ON audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    ):
        with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
            _as_app(statement)


def test_grants_command_prints_the_script_and_refuses_odd_names() -> None:
    result = CliRunner().invoke(app, ["audit", "grants", "--role", "minzheng_app"])
    assert result.exit_code == 0
    assert "REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON public.audit_auditevent FROM minzheng_app;" in (
        result.stdout
    )
    bad = CliRunner().invoke(app, ["audit", "grants", "--role", "app; DROP TABLE x"])
    assert bad.exit_code == 1 and "不是合法的 PostgreSQL 名称" in bad.stderr
