"""The audit log is append-only: in the model, and in the database for queryset writes."""

from __future__ import annotations

import importlib

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from minzheng.accounts.services import user_create
from minzheng.audit.models import AppendOnlyError, AuditEvent
from minzheng.audit.services import audit_record

guard = importlib.import_module("minzheng.audit.migrations.0002_append_only_guard")


def _event() -> AuditEvent:
    return audit_record(actor=None, action=AuditEvent.Action.VIEW, summary="查看")


def bulk() -> QuerySet[AuditEvent]:
    """A plain queryset, as raw ORM code would use: whatever the model refuses, the database must."""
    return QuerySet(AuditEvent)


def test_model_refuses_edit_and_delete(db: None) -> None:
    event = _event()
    event.summary = "篡改"
    with pytest.raises(AppendOnlyError, match="审计日志不可修改"):
        event.save()
    with pytest.raises(AppendOnlyError, match="审计日志不可删除"):
        event.delete()
    assert AuditEvent.objects.get().summary == "查看"


def test_database_refuses_queryset_update(db: None) -> None:
    _event()
    with pytest.raises(IntegrityError, match="审计日志只增不改"), transaction.atomic():
        bulk().update(summary="篡改")
    with pytest.raises(IntegrityError, match="审计日志只增不改"), transaction.atomic():
        bulk().filter(summary="查看").update(reason="补写事由")
    assert list(AuditEvent.objects.values_list("summary", "reason")) == [("查看", "")]


def test_deleting_a_user_with_audit_rows_is_refused(db: None) -> None:
    """on_delete=SET_NULL would rewrite the actor of their audit rows: accounts are deactivated instead."""
    user = user_create(actor=None, username="linshi", role="town_officer", jurisdiction="330212100", password="x" * 12)
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, summary="登录")
    with pytest.raises(IntegrityError, match="审计日志只增不改"), transaction.atomic():
        user.delete()
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN).actor_id == user.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite flushes test tables with DELETE (see 0002)")
def test_postgresql_refuses_queryset_delete(db: None) -> None:
    _event()
    with pytest.raises(IntegrityError, match="审计日志只增不改"), transaction.atomic():
        bulk().delete()
    with pytest.raises(IntegrityError, match="审计日志只增不改"), transaction.atomic():
        bulk().filter(summary="查看")._raw_delete(connection.alias)  # type: ignore[attr-defined]
    assert AuditEvent.objects.count() == 1


def test_reverse_migration_drops_the_guard(db: None) -> None:
    _event()
    # Not entered as a context manager: SQLite's editor refuses to open inside the test's transaction.
    editor = connection.schema_editor()
    guard.backwards(None, editor)
    bulk().update(summary="回滚后可改")
    guard.forwards(None, editor)
    with pytest.raises(IntegrityError, match="审计日志只增不改"), transaction.atomic():
        bulk().update(summary="再次篡改")
    assert AuditEvent.objects.get().summary == "回滚后可改"


@pytest.mark.django_db(transaction=True)
def test_flush_between_transactional_tests_still_empties_the_log() -> None:
    """What pytest-django does after every live_server/thread test: it must get past the triggers."""
    _event()
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert AuditEvent.objects.count() == 0


def test_queryset_bulk_writes_are_refused_in_python(db: None) -> None:
    _event()
    with pytest.raises(AppendOnlyError, match="审计日志不可修改"):
        AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).update(summary="篡改")
    with pytest.raises(AppendOnlyError, match="审计日志不可删除"):
        AuditEvent.objects.all().delete()
    assert list(AuditEvent.objects.values_list("summary", flat=True)) == ["查看"]
