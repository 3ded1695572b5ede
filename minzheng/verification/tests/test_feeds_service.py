"""feed_ingest (deliveries + audit), the ingestion job, `minzheng feeds ingest/list`, and the demo hook."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from typer.testing import CliRunner

from minzheng import cli_extra  # noqa: F401 - registers the commands on the app
from minzheng.audit.models import AuditEvent
from minzheng.cli import app
from minzheng.demo.feedrows import DIGEST_KEY
from minzheng.demo.feeds import HEADERS
from minzheng.testing import Cast
from minzheng.verification.engine.ingest import FeedError
from minzheng.verification.models import FeedDelivery
from minzheng.verification.services import feed_ingest, feed_store
from minzheng.verification.tests.feeds_fixtures import (
    AS_OF,
    ID_A,
    ID_B,
    demo_feeds,  # noqa: F401 - module-scoped fixture
    write_csv,
)

VEHICLE = HEADERS["vehicle"]


def vehicle_file(folder: Path, name: str, *rows: list[str]) -> Path:
    return write_csv(folder / name, VEHICLE, list(rows) or [[ID_A, "张三", "浙B1", "小型轿车", "2020-01-01", "10"]])


def test_digest_key_setting_is_the_demo_key() -> None:
    assert settings.FEED_DIGEST_KEY.encode() == DIGEST_KEY


@pytest.mark.django_db
def test_feed_ingest_records_a_delivery_once_and_replaces_on_request(cast: Cast, tmp_path: Path) -> None:
    first = vehicle_file(tmp_path, "vehicle_2026-12-01.csv")
    d1 = feed_ingest(actor=cast.verification_center, feed_id="vehicle", path=first, as_of=AS_OF)
    assert (d1.rows, d1.accepted, d1.rejected, d1.status) == (1, 1, 0, FeedDelivery.Status.CURRENT)
    assert d1.ingested_by == cast.verification_center and Path(d1.snapshot_path).exists()
    assert (Path(d1.snapshot_path).parent / ".lookup" / "meta.json").exists()  # built with the delivery
    event = AuditEvent.objects.get(object_type="feed_delivery", object_id=str(d1.pk))
    assert event.action == AuditEvent.Action.IMPORT and "vehicle" in event.summary
    again = feed_ingest(actor=cast.verification_center, feed_id="vehicle", path=first, as_of=AS_OF)
    assert again.pk == d1.pk and again.unchanged
    assert FeedDelivery.objects.count() == 1 and AuditEvent.objects.filter(object_type="feed_delivery").count() == 1
    other = vehicle_file(tmp_path, "v2.csv", [ID_B, "李四", "浙B2", "小型轿车", "2020-01-01", "x"])
    with pytest.raises(FeedError, match="--replace"):
        feed_ingest(actor=cast.verification_center, feed_id="vehicle", path=other, as_of=AS_OF)
    assert FeedDelivery.objects.count() == 1
    d2 = feed_ingest(actor=cast.verification_center, feed_id="vehicle", path=other, as_of=AS_OF, replace=True)
    d1.refresh_from_db()
    assert d1.status == FeedDelivery.Status.REPLACED and d1.replaced and d1.replaced_by == d2
    assert d1.kept_at and Path(d1.kept_at, "data.parquet").exists()  # the old snapshot, recoverable
    assert (d2.rejected, bool(d2.rejects_path)) == (1, True)
    assert feed_store().snapshot("vehicle", AS_OF).manifest["source_sha256"] == d2.sha256  # type: ignore[union-attr]
    meta = json.loads((Path(d2.snapshot_path).parent / ".lookup" / "meta.json").read_text(encoding="utf-8"))
    assert d2.sha256 in meta["stamp"]  # the replacement's own index, built with its delivery


@pytest.mark.django_db
def test_cli_ingest_json_as_of_from_name_replace_and_list(cast: Cast, tmp_path: Path) -> None:
    runner = CliRunner()
    path = vehicle_file(tmp_path, "vehicle_2026-12-01.csv")
    out = runner.invoke(app, ["feeds", "ingest", "vehicle", str(path), "--json"])
    assert out.exit_code == 0, out.output
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert list(answer) == ["feed", "as_of", "rows", "accepted", "rejected", "snapshot", "rejects_file"]
    assert answer["as_of"] == "2026-12-01" and (answer["rows"], answer["accepted"], answer["rejected"]) == (1, 1, 0)
    assert answer["rejects_file"] is None and answer["snapshot"].endswith("vehicle/2026-12-01/data.parquet")
    same = runner.invoke(app, ["feeds", "ingest", "vehicle", str(path)])
    assert same.exit_code == 0 and "未做任何改动" in same.output
    other = vehicle_file(tmp_path, "other.csv", [ID_B, "", "", "", "", ""], ["", "", "浙B", "", "", ""])
    refused = runner.invoke(app, ["feeds", "ingest", "vehicle", str(other), "--as-of", "2026-12-01"])
    assert refused.exit_code == 1 and "已有另一份文件" in refused.output and "--replace" in refused.output
    done = runner.invoke(
        app, ["feeds", "ingest", "vehicle", str(other), "--as-of", "2026-12-01", "--replace", "--json"]
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert (answer["rows"], answer["accepted"], answer["rejected"]) == (2, 1, 1) and answer["rejects_file"]
    no_date = runner.invoke(app, ["feeds", "ingest", "vehicle", str(other)])
    assert no_date.exit_code == 1 and "--as-of" in no_date.output
    missing = write_csv(tmp_path / "death_2026-12-01.csv", ["姓名"], [["张三"]])
    bad = runner.invoke(app, ["feeds", "ingest", "death", str(missing)])
    assert bad.exit_code == 1 and "缺少必需的列" in bad.output and "Traceback" not in bad.output
    listed = runner.invoke(app, ["feeds", "list", "--json"])
    assert [(d["feed"], d["rows"]) for d in json.loads(listed.stdout)] == [("vehicle", 2)]
    assert runner.invoke(app, ["feeds", "ingest", "cars", str(path)]).exit_code == 1


@pytest.mark.django_db
def test_demo_ingests_every_feed(cast: Cast, demo_feeds: tuple[Path, dict[str, int]]) -> None:  # noqa: F811
    from minzheng.verification.demo import demo_feeds_ingest

    folder, counts = demo_feeds
    steps: list[str] = []
    demo_feeds_ingest(SimpleNamespace(feeds_dir=folder, as_of=AS_OF), steps.append)
    assert "导入部门核对数据" in steps
    got = {d.feed_id: d.rows for d in FeedDelivery.objects.all()}
    assert got == counts
    assert set(feed_store().all_latest(AS_OF)) == set(counts)
    assert feed_store().latest("death", dt.date(2026, 11, 30)) is None
    demo_feeds_ingest(SimpleNamespace(feeds_dir=folder, as_of=AS_OF), steps.append)  # a rebuilt demo
    assert FeedDelivery.objects.count() == len(counts)


@pytest.mark.django_db
def test_restore_brings_the_replaced_delivery_back(cast: Cast, tmp_path: Path) -> None:
    from minzheng.verification.services import feed_restore

    first = vehicle_file(tmp_path, "a.csv")
    second = vehicle_file(tmp_path, "b.csv", [ID_B, "李四", "浙B2", "小型轿车", "2020-01-01", "20"])
    with pytest.raises(FeedError, match="没有可恢复的原数据"):
        feed_restore(actor=cast.verification_center, feed_id="vehicle", as_of=AS_OF)
    d1 = feed_ingest(actor=cast.verification_center, feed_id="vehicle", path=first, as_of=AS_OF)
    d2 = feed_ingest(actor=cast.verification_center, feed_id="vehicle", path=second, as_of=AS_OF, replace=True)
    back = feed_restore(actor=cast.verification_center, feed_id="vehicle", as_of=AS_OF)
    d2.refresh_from_db()
    assert back.pk == d1.pk and back.status == FeedDelivery.Status.CURRENT and not back.replaced
    assert d2.status == FeedDelivery.Status.REPLACED and d2.replaced_by_id == d1.pk and Path(d2.kept_at).exists()
    snap = feed_store().snapshot("vehicle", AS_OF)
    assert snap is not None and snap.sha256 == d1.sha256 and snap.read().column("id_number").to_pylist() == [ID_A]
    assert AuditEvent.objects.filter(object_type="feed_delivery", action=AuditEvent.Action.UPDATE).count() == 1
    out = CliRunner().invoke(app, ["feeds", "restore", "vehicle", "--as-of", "2026-12-01"])  # and back again
    assert out.exit_code == 0 and "已恢复" in out.output and "b.csv" in out.output
    assert feed_store().snapshot("vehicle", AS_OF).sha256 == d2.sha256  # type: ignore[union-attr]
    bad = CliRunner().invoke(app, ["feeds", "restore", "vehicle", "--as-of", "2026-12-01", "--from", "replaced-x"])
    assert bad.exit_code == 1 and "可恢复：replaced-" in bad.output
