"""The hash chain: a clean log verifies; a deleted, altered or forged row is found; writers never fork it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from typer.testing import CliRunner

from minzheng.audit import chain, guard
from minzheng.audit import cli as _registers_audit_commands  # noqa: F401
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.audit.verify import audit_verify
from minzheng.cli import app

INSERT = (
    "INSERT INTO audit_auditevent (at, actor_username, action, object_type, object_id, summary, reason,"
    " client_ip, data, seq, prev_hash, hash) VALUES (%s, 'zhangsan', 'view', 'person', '7', '查看', '', '', '{}',"
    " %s, %s, %s)"
)


def _write(count: int) -> list[AuditEvent]:
    data = {"行": (1, 2), 3: "键为数字", "嵌套": {"b": 1.5, "a": None}}
    return [audit_record(actor=None, action="view", summary=f"第{n}次", data=data) for n in range(count)]


@pytest.fixture
def unguarded() -> Iterator[None]:
    """An insider who owns the table: the triggers dropped, so only the chain can tell."""
    guard.remove(connection)
    yield
    guard.install(connection)


def _raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verify_cli(*args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["audit", "verify", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_rows_are_chained_in_order(db: None) -> None:
    events = _write(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == chain.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:2]]


def test_verify_passes_on_a_clean_log(db: None) -> None:
    """What is read back (JSON keys, tuples, times) hashes to what was written."""
    events = _write(5)
    code, report = _verify_cli()
    assert (code, report["ok"], report["rows"], report["problems"]) == (0, True, 5, [])
    assert (report["head_seq"], report["head_hash"]) == (5, events[-1].hash)


def test_verify_passes_on_an_empty_log(db: None) -> None:
    code, report = _verify_cli()
    assert (code, report["ok"], report["rows"], report["head_hash"]) == (0, True, 0, chain.GENESIS)


def test_deleted_row_is_found(db: None, unguarded: None) -> None:
    events = _write(4)
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    code, report = _verify_cli()
    assert code == 1
    assert report["problems"] == [
        {"kind": "missing", "seq": 2, "id": None, "message": "第 2–2 条审计记录缺失（已被删除）"}
    ]


def test_altered_row_is_found(db: None, unguarded: None) -> None:
    events = _write(3)
    _raw("UPDATE audit_auditevent SET reason = '补写的事由' WHERE id = %s", [events[1].pk])
    report = audit_verify()
    assert [(p.kind, p.seq, p.id) for p in report.problems] == [("altered", 2, events[1].pk)]


def test_rehashed_row_breaks_the_next_link(db: None, unguarded: None) -> None:
    """An editor who also recomputes the edited row's hash is found at the row after it."""
    events = _write(3)
    row = {**AuditEvent.objects.filter(pk=events[1].pk).values(*chain.FIELDS).get(), "summary": "改过"}
    _raw(
        "UPDATE audit_auditevent SET summary = '改过', hash = %s WHERE id = %s",
        [chain.link(events[0].hash, row), events[1].pk],
    )
    report = audit_verify()
    assert [(p.kind, p.seq) for p in report.problems] == [("broken", 3)]


def test_forged_back_dated_insert_is_found(db: None) -> None:
    """A raw INSERT around audit_record, dated last week, even with a plausible-looking link and hash."""
    events = _write(2)
    back_dated = timezone.now() - dt.timedelta(days=7)
    fake_hash = hashlib.sha256(b"forged").hexdigest()
    _raw(INSERT, [back_dated, 3, events[-1].hash, fake_hash])
    code, report = _verify_cli()
    assert code == 1
    assert [(p["kind"], p["seq"]) for p in report["problems"]] == [("forged", 3)]
    assert "倒填时间" in report["problems"][0]["message"]


def test_forged_insert_must_claim_a_free_place_in_the_chain(db: None) -> None:
    events = _write(2)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(INSERT, [timezone.now(), 2, events[0].hash, events[1].hash])
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(INSERT, [timezone.now(), None, events[1].hash, events[1].hash])


def test_anchor_finds_a_cut_tail(db: None, unguarded: None) -> None:
    events = _write(3)
    anchor = f"3:{events[-1].hash}"
    assert _verify_cli("--anchor", anchor)[0] == 0
    _raw("DELETE FROM audit_auditevent WHERE seq = 3")
    assert _verify_cli()[0] == 0  # without an anchor a cut tail looks like a shorter log
    code, report = _verify_cli("--anchor", anchor)
    assert (code, report["problems"][0]["kind"]) == (1, "anchor")


def test_cli_says_in_chinese_what_is_wrong(db: None, unguarded: None) -> None:
    events = _write(2)
    _raw("UPDATE audit_auditevent SET summary = '篡改' WHERE id = %s", [events[0].pk])
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "审计日志被篡改：第 1 条记录的内容与哈希不符" in result.stderr
    bad = CliRunner().invoke(app, ["audit", "verify", "--anchor", "3:abc"])
    assert bad.exit_code == 1 and "锚点“3:abc”应为" in bad.stderr


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQLite test database is one in-memory file")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain() -> None:
    def writer(n: int) -> None:
        try:
            for k in range(25):
                audit_record(actor=None, action="view", summary=f"线程{n}-{k}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = audit_verify()
    assert (report.ok, report.rows, report.head_seq) == (True, 100, 100)


def test_sqlite_transactions_take_the_write_lock_at_begin(db: None) -> None:
    """The chain head needs no lock of its own on SQLite only because every transaction is IMMEDIATE."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL takes pg_advisory_xact_lock")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db(transaction=True)
def test_migration_hashes_existing_rows_in_id_order() -> None:
    """Rows written before the chain existed are numbered and hashed by 0003, oldest first."""
    from django.core.management import call_command

    call_command("migrate", "audit", "0002", verbosity=0)
    try:
        with connection.cursor() as cursor:
            for n, day in enumerate((3, 1, 2)):  # ids in insertion order, times deliberately not
                at = timezone.now() - dt.timedelta(days=day)
                cursor.execute(
                    "INSERT INTO audit_auditevent (at, actor_username, action, object_type, object_id, summary,"
                    " reason, client_ip, data) VALUES (%s, '旧账号', 'view', 'person', %s, '', '', '', %s)",
                    [at, str(n), json.dumps({"第": n})],
                )
    finally:
        call_command("migrate", "audit", verbosity=0)
    assert list(AuditEvent.objects.order_by("id").values_list("seq", "object_id")) == [(1, "0"), (2, "1"), (3, "2")]
    assert audit_verify().ok
    assert audit_record(actor=None, action="view").seq == 4
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent._base_manager.all().delete()


WRITER = """
import sys, django
django.setup()
from minzheng.audit.services import audit_record
for k in range(int(sys.argv[2])):
    audit_record(actor=None, action="view", summary=f"进程{sys.argv[1]}-{k}")
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL: test_concurrent_writers_do_not_fork_the_chain")
def test_sqlite_processes_writing_at_once_keep_one_chain(tmp_path: Path) -> None:
    """Four processes on one SQLite file: IMMEDIATE transactions serialise them, no fork, no lock error."""
    env = {**os.environ, "MINZHENG_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "minzheng.config.settings"}
    env.pop("DATABASE_URL", None)
    root = Path(__file__).resolve().parents[3]
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=root, env=env, check=True, capture_output=True)
    writers = [subprocess.Popen([python, "-c", WRITER, str(n), "100"], cwd=root, env=env) for n in range(4)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    verify = [python, "-c", "from minzheng.cli import main; main()", "audit", "verify", "--json"]
    result = subprocess.run(verify, cwd=root, env=env, capture_output=True, text=True, check=False)
    report = json.loads(result.stdout)
    assert (result.returncode, report["ok"], report["head_seq"]) == (0, True, report["rows"])
    assert report["rows"] >= 400  # migrate writes a few rows of its own
