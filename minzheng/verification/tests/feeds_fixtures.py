"""Shared by the feed tests: a small demo county's 19 feed files, and a writer for crafted files."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from minzheng.demo.feeds import write_feeds
from minzheng.demo.generator import write_residents_file

AS_OF = dt.date(2026, 12, 1)
TODAY = dt.date(2026, 12, 1)
# Valid numbers (GB 11643 check digits): a 1950s man, a 1980s woman, and one ending in X.
ID_A = "330212195403154414"
ID_B = "330212198004226023"
ID_X = "11010519491231002X"


@pytest.fixture(scope="module")
def demo_feeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """(feeds directory, rows per feed) of a 600-person county: small, all 19 feeds non-empty."""
    root = tmp_path_factory.mktemp("county")
    residents = root / "居民信息.csv"
    write_residents_file(residents, persons=600, seed=11)
    counts = write_feeds(residents, root / "feeds", as_of=AS_OF, seed=11)
    return root / "feeds", counts


def write_csv(path: Path, headers: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, headers: list[str], rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path
