from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from minzheng.audit.models import AppendOnlyError, AuditEvent
from minzheng.audit.services import audit_record


def test_model_refuses_edit_and_delete(db: None) -> None:
    event = audit_record(actor=None, action=AuditEvent.Action.VIEW, summary="查看")
    event.summary = "篡改"
    with pytest.raises(AppendOnlyError, match="审计日志不可修改"):
        event.save()
    with pytest.raises(AppendOnlyError, match="审计日志不可删除"):
        event.delete()


def test_database_refuses_queryset_update(db: None) -> None:
    audit_record(actor=None, action=AuditEvent.Action.VIEW, summary="查看")
    with pytest.raises(DatabaseError, match="审计日志只增不改"), transaction.atomic():
        AuditEvent.objects.update(summary="篡改")
    assert AuditEvent.objects.get().summary == "查看"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite flushes test tables with DELETE")
def test_postgresql_refuses_queryset_delete(db: None) -> None:
    audit_record(actor=None, action=AuditEvent.Action.VIEW, summary="查看")
    with pytest.raises(DatabaseError, match="审计日志只增不改"), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1
