"""The hash chain (minzheng.audit.chain) and the full set of append-only triggers (minzheng.audit.guard).

Existing rows are numbered and hashed in id order, which is their insertion order. The guard
triggers of 0002 are dropped first (the backfill is an UPDATE) and installed again, now also
refusing DELETE on SQLite and TRUNCATE on PostgreSQL, once every row carries its hash.
"""

from __future__ import annotations

import django.utils.timezone
from django.db import migrations, models

from minzheng.audit import chain, guard

BATCH = 2000


def _hash_existing(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    event_model = apps.get_model("audit", "AuditEvent")
    rows = event_model.objects.order_by("id").values("id", *(f for f in chain.FIELDS if f != "seq"))
    # executemany of one prepared UPDATE: bulk_update's CASE WHEN grows with the batch (6.5 min for 262k rows).
    sql = "UPDATE audit_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s"
    prev_hash, batch = chain.GENESIS, []
    with schema_editor.connection.cursor() as cursor:
        for seq, row in enumerate(rows.iterator(chunk_size=BATCH), start=1):
            row["seq"] = seq
            digest = chain.link(prev_hash, row)
            batch.append((seq, prev_hash, digest, row["id"]))
            prev_hash = digest
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                batch = []
        cursor.executemany(sql, batch)


def _drop_guard(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    guard.remove(schema_editor.connection)


def _install_guard(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    guard.install(schema_editor.connection)


def _restore_0002_guard(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    import importlib

    importlib.import_module("minzheng.audit.migrations.0002_append_only_guard").forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_guard")]

    operations = [
        migrations.RunPython(_drop_guard, _restore_0002_guard),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_comment="时间", db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(db_comment="链序号（从 1 起连续）", null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(db_comment="前一行的哈希", default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(
                db_comment="本行哈希 SHA-256(前一行哈希+本行内容)", default="", max_length=64
            ),
            preserve_default=False,
        ),
        migrations.RunPython(_hash_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(db_comment="链序号（从 1 起连续）", unique=True),
        ),
        migrations.RunPython(_install_guard, _drop_guard),
    ]
