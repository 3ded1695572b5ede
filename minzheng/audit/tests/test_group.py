"""Group commit of audit rows (minzheng.audit.group): many threads' rows, one chain, nobody left waiting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import override_settings

from minzheng.audit import group
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record

THREADS = """
import sys, threading, django
django.setup()
from django.db import connections
from minzheng.audit import group
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
seqs = []
def reader(n):
    try:
        for k in range(50):
            seqs.append(audit_record(actor=None, action="view", summary=f"线程{n}-{k}").seq)
    finally:
        connections.close_all()
threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(len(seqs), len(set(seqs)), group.applies())
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="group commit is for SQLite only")
def test_threads_of_one_process_share_the_writer_and_keep_one_chain(tmp_path: Path) -> None:
    """Eight threads reading at once on an on-disk SQLite file: every row stored, one unbroken chain."""
    env = {**os.environ, "MINZHENG_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "minzheng.config.settings"}
    env.pop("DATABASE_URL", None)
    root = Path(__file__).resolve().parents[3]
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=root, env=env, check=True, capture_output=True)
    run = subprocess.run([python, "-c", THREADS], cwd=root, env=env, capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["400", "400", "True"]  # each got its own place; the group path took them
    verify = [python, "-c", "from minzheng.cli import main; main()", "audit", "verify", "--json"]
    result = subprocess.run(verify, cwd=root, env=env, capture_output=True, text=True, check=False)
    report = json.loads(result.stdout)
    assert (result.returncode, report["ok"], report["head_seq"]) == (0, True, report["rows"])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="group commit is for SQLite only")
@pytest.mark.django_db(transaction=True)
@override_settings(AUDIT_GROUP_COMMIT=True)
def test_inside_a_transaction_the_caller_writes_its_own_row() -> None:
    """A write's audit row commits or rolls back with the write: another thread's turn must not commit it."""
    assert group.applies()
    with transaction.atomic():
        assert not group.applies()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="update", summary="随写入回滚")
        raise RuntimeError
    assert not AuditEvent.objects.filter(summary="随写入回滚").exists()


@override_settings(AUDIT_GROUP_COMMIT=False)
def test_the_setting_turns_it_off(db: None) -> None:
    assert not group.applies()


ROW = {"actor_id": None, "actor_username": "系统", "action": "view", "object_type": "", "object_id": "",
       "summary": "", "reason": "", "client_ip": "", "data": {}}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_failed_batch_tells_every_waiter() -> None:
    """A row the database cannot take fails its request at once instead of leaving it waiting."""
    with pytest.raises(TypeError):
        group.submit({**ROW, "no_such_column": 1})
    event = group.submit({**ROW, "summary": "之后照常"})
    assert event.pk and event.seq >= 1
