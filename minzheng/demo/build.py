"""Build the demo county into the configured database (the CLI wipes it first)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from minzheng.demo.accounts import DemoAccount, demo_accounts_create, demo_scopes
from minzheng.demo.feeds import write_feeds
from minzheng.demo.generator import write_residents_file
from minzheng.divisions.services import divisions_load_builtin
from minzheng.registry.importing import ImportResult, residents_import

Step = Callable[[str], None]


@dataclass
class DemoBuild:
    residents_file: Path
    import_result: ImportResult
    feeds_dir: Path
    feeds: dict[str, int]
    accounts: list[DemoAccount]


class DemoError(RuntimeError):
    pass


def fresh_sqlite_database() -> None:
    """Delete the embedded SQLite file so the demo starts clean. Refuses any other database."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        raise DemoError("演示只重建内置 SQLite 数据库；检测到 DATABASE_URL 指向其他数据库，为防误删已停止")
    connection.close()
    path = Path(db["NAME"])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def demo_build(
    *, persons: int, seed: int, county: str, step: Step, import_progress: Callable[[int, int], None] | None = None
) -> DemoBuild:
    step("建表并载入行政区划")
    call_command("migrate", interactive=False, verbosity=0)
    divisions_load_builtin()
    out = settings.DATA_DIR / "demo"
    residents = out / "居民信息.csv"
    step(f"生成 {persons} 名居民")
    write_residents_file(residents, persons=persons, seed=seed, county=county)
    _write_bad_sample(residents, out / "居民信息_含错误行.csv", demo_scopes(county)[1].code)
    step("导入居民信息")
    result = residents_import(path=residents, actor=None, progress=import_progress)
    step("生成部门核对数据")
    as_of = timezone.localdate().replace(day=1)
    feeds = write_feeds(residents, out / "feeds", as_of=as_of, seed=seed)
    step("创建演示账号")
    return DemoBuild(residents, result, out / "feeds", feeds, demo_accounts_create(county))


def _write_bad_sample(residents: Path, target: Path, village: str) -> None:
    """A small file for the import page: rows of the demo 村 worker's village plus five bad rows."""
    lines = residents.read_text(encoding="utf-8-sig").splitlines()
    header, good = lines[0], [line for line in lines[1:] if f",{village}," in line][:15]
    bad = [
        f"错号码,330212197803154411,DEMO-BAD-1,户主,{village},第1网格,,,,,",
        "未知区划,330212198004226023,DEMO-BAD-2,户主,330212999999,第1网格,,,,,",
        f"无户主,330212201509103218,DEMO-BAD-3,子,{village},第1网格,,,,,",
        f"坏电话,330212197803154439,DEMO-BAD-4,户主,{village},第1网格,,,,12345,",
        f"坏标签,330212198004226058,DEMO-BAD-5,户主,{village},第1网格,,,,,残疾:肢体五级",
    ]
    target.write_text("\n".join([header, *good, *bad]) + "\n", encoding="utf-8-sig")
