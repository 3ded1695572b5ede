"""A small generated county for the batch tests: residents, feeds ingested into a store, the registry."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from minzheng.demo.feedrows import DIGEST_KEY
from minzheng.demo.feeds import HEADERS, feed_path, write_feeds
from minzheng.demo.generator import write_residents_file
from minzheng.registry.importing import residents_import
from minzheng.verification.engine import batch as engine
from minzheng.verification.engine.ingest import ingest_file
from minzheng.verification.engine.store import FeedStore

AS_OF = dt.date(2026, 11, 1)
LATER = dt.date(2026, 11, 2)  # same income window (months before November), one day on
SEED = 23
CHUNK = 12  # households per partition: a small county still makes several partitions


@dataclass
class County:
    root: Path
    residents: Path
    feeds_dir: Path  # settings.FEEDS_DIR; the store is feeds_dir/"store"
    members: pa.Table


def _members(residents: Path) -> pa.Table:
    with residents.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    number = [r["公民身份号码"] for r in rows]
    return pa.table(
        {
            "id_number": number,
            "name": [r["姓名"] for r in rows],
            "household_no": [r["户编号"] for r in rows],
            "division_code": [r["现住址区划代码"] for r in rows],
            "birth_date": [dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14])) for n in number],
        },
        schema=engine.MEMBER_SCHEMA,
    )


@pytest.fixture(scope="module")
def county_files(tmp_path_factory: pytest.TempPathFactory) -> County:
    root = tmp_path_factory.mktemp("batch")
    residents = root / "居民.csv"
    write_residents_file(residents, persons=1200, seed=SEED)
    write_feeds(residents, root / "feeds", as_of=AS_OF, seed=SEED)
    store = FeedStore(root / "feeds_dir" / "store")
    for feed in HEADERS:
        ingest_file(feed, feed_path(root / "feeds", feed, AS_OF), AS_OF, store)
    return County(root, residents, root / "feeds_dir", _members(residents))


@pytest.fixture
def registry(county: None, county_files: County, settings: object) -> County:
    settings.FEEDS_DIR = county_files.feeds_dir  # type: ignore[attr-defined]
    settings.VERIFICATION_BATCH_CHUNK_HOUSEHOLDS = CHUNK  # type: ignore[attr-defined]
    settings.FEED_DIGEST_KEY = DIGEST_KEY  # type: ignore[attr-defined]
    residents_import(path=county_files.residents, actor=None)
    return county_files
