"""Django's `flush`, let past the audit log's flush-blocking trigger (see minzheng.audit.guard).

pytest-django flushes the database after every transactional test; without this the trigger
that refuses DELETE (SQLite) or TRUNCATE (PostgreSQL) on the audit table would fail them all.
The trigger is dropped for the flush only and always put back. Where the running role does not
own the audit table (the grants of docs/deploy-postgresql.md), dropping it fails and so does
the flush: the audit log of a production database cannot be emptied from the application.
"""

from __future__ import annotations

from typing import Any

from django.core.management import CommandError
from django.core.management.commands import flush
from django.db import DatabaseError, connections

from minzheng.audit import guard


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        blocker = guard.flush_blocker(connection)
        if blocker is None or guard.TABLE not in connection.introspection.table_names():
            return super().handle(**options)
        create, drop = blocker
        try:
            with connection.cursor() as cursor:
                cursor.execute(drop)
        except DatabaseError as exc:
            raise CommandError(f"审计日志只增不改，当前数据库账号不能清空它：{exc}") from exc
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(create)
