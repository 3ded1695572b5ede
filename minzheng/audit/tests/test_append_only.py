"""The audit log is append-only: in the model, and in the database for every other path."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from minzheng.accounts.services import user_create
from minzheng.audit import guard
from minzheng.audit.models import AppendOnlyError, AuditEvent
from minzheng.audit.services import audit_record

REFUSED = "审计日志只增不改"
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists only on PostgreSQL")


def _event() -> AuditEvent:
    return audit_record(actor=None, action=AuditEvent.Action.VIEW, summary="查看")


def bulk() -> QuerySet[AuditEvent]:
    """A plain queryset, as raw ORM code would use: whatever the model refuses, the database must."""
    return QuerySet(AuditEvent)


def _raw(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


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
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        bulk().update(summary="篡改")
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        bulk().filter(summary="查看").update(reason="补写事由")
    assert list(AuditEvent.objects.values_list("summary", "reason")) == [("查看", "")]


def test_database_refuses_raw_update(db: None) -> None:
    _event()
    with pytest.raises(IntegrityError, match=REFUSED):
        _raw("UPDATE audit_auditevent SET summary = '篡改'")
    assert AuditEvent.objects.get().summary == "查看"


def test_database_refuses_delete_through_base_manager(db: None) -> None:
    """`_base_manager` is a plain manager: the model's guards never run, the trigger must refuse."""
    _event()
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        AuditEvent._base_manager.all().delete()
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        bulk().filter(summary="查看")._raw_delete(connection.alias)  # type: ignore[attr-defined]
    assert AuditEvent.objects.count() == 1


def test_database_refuses_raw_delete(db: None) -> None:
    _event()
    with pytest.raises(IntegrityError, match=REFUSED):
        _raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1


@postgresql_only
def test_postgresql_refuses_truncate(db: None) -> None:
    _event()
    with pytest.raises(IntegrityError, match=REFUSED):
        _raw("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_deleting_a_user_with_audit_rows_is_refused(county: None) -> None:
    """on_delete=SET_NULL would rewrite the actor of their audit rows: accounts are deactivated instead."""
    user = user_create(
        actor=None, username="linshi", role="town_officer", jurisdiction="330212100", password="Linshi-2026x"
    )
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, summary="登录")
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        user.delete()
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN).actor_id == user.pk


def test_removing_the_guard_is_what_lets_a_change_through(db: None) -> None:
    """The refusals above come from the triggers (and guard.install puts them back)."""
    _event()
    guard.remove(connection)
    bulk().update(summary="去掉触发器后可改")
    guard.install(connection)
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        bulk().update(summary="再次篡改")
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        bulk().delete()
    assert AuditEvent.objects.get().summary == "去掉触发器后可改"


@pytest.mark.django_db(transaction=True)
def test_flush_between_transactional_tests_still_empties_the_log_and_keeps_the_guard() -> None:
    """What pytest-django does after every live_server/thread test: it gets past the triggers, once."""
    _event()
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert AuditEvent.objects.count() == 0
    _event()
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        bulk().delete()
    assert AuditEvent.objects.count() == 1


def test_queryset_bulk_writes_are_refused_in_python(db: None) -> None:
    _event()
    with pytest.raises(AppendOnlyError, match="审计日志不可修改"):
        AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).update(summary="篡改")
    with pytest.raises(AppendOnlyError, match="审计日志不可删除"):
        AuditEvent.objects.all().delete()
    assert list(AuditEvent.objects.values_list("summary", flat=True)) == ["查看"]
