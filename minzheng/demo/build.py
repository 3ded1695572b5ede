"""Build the demo county into the configured database (the CLI wipes it first, tests do not)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from minzheng.demo.accounts import DemoAccount, demo_accounts_create, demo_scopes
from minzheng.demo.feeds import HEADERS, write_feeds
from minzheng.demo.generator import write_residents_file
from minzheng.divisions import codes
from minzheng.divisions.models import Division
from minzheng.divisions.services import divisions_load_builtin
from minzheng.registry.importing import ImportResult, residents_import

Step = Callable[[str], None]
Progress = Callable[[int, int], None]
RESIDENTS_FILE = "居民信息.csv"
# Each app adds its own demo data after residents, feeds and accounts exist (in this order:
# verification ingests the feeds, rules reads verification results, care needs the elders).
DEMO_EXTENSIONS = (
    "minzheng.verification.demo",
    "minzheng.rules.demo",
    "minzheng.eldercare.demo",
    "minzheng.emergency.demo",
    "minzheng.meals.demo",
    "minzheng.cases.demo",
    "minzheng.payments.demo",
    "minzheng.rescue.demo",
    "minzheng.children.demo",
    "minzheng.childvisits.demo",  # after minzheng.children.demo (reads the children's categories)
    "minzheng.institutions.demo",  # after eldercare (levels, coordinates) and payments (特困)
    "minzheng.volunteers.demo",  # after minzheng.eldercare.demo (a volunteering elder draws care)
    "minzheng.placenames.demo",
    "minzheng.governance.demo",
    "minzheng.socialorgs.demo",
    "minzheng.funeral.demo",  # after minzheng.payments.demo (pays this month's funeral payrolls)
    "minzheng.marriage.demo",
    "minzheng.lifeevents.demo",  # after funeral and marriage (their records draft 一件事)
    "minzheng.disaster.demo",  # after minzheng.payments.demo (pays this month's relief payroll)
    "minzheng.dashboard.demo",  # last: the first refresh counts what every step above made
)
SAMPLE_FILE = "居民信息_含错误行.csv"


@dataclass
class DemoBuild:
    residents_file: Path
    sample_file: Path
    import_result: ImportResult
    feeds_dir: Path
    feeds: dict[str, int]
    as_of: dt.date
    accounts: list[DemoAccount]


class DemoError(RuntimeError):
    """Stops the demo; the message is Chinese."""


def fresh_sqlite_database() -> None:
    """Delete the embedded SQLite file so the demo starts clean. Refuses any other database."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        raise DemoError("演示只重建内置 SQLite 数据库；检测到 DATABASE_URL 指向其他数据库，为防误删已停止")
    connection.close()
    path = Path(db["NAME"])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def county_village_codes(county: str) -> list[str]:
    """The county's villages/communities from the Division table; DemoError if it has none."""
    if len(county) != 6 or not county.isdigit():
        raise DemoError(f"县级区划代码“{county}”应为 6 位数字，如 330212")
    found = list(
        Division.objects.filter(level=codes.VILLAGE, code__startswith=county)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not found:
        raise DemoError(f"区划 {county} 下没有村（社区）：请先用 minzheng divisions import 导入该县的村级区划")
    return found


def demo_build(
    *,
    persons: int,
    seed: int,
    county: str,
    step: Step,
    progress: Progress | None = None,
    as_of: dt.date | None = None,
) -> DemoBuild:
    """Migrate, generate, import, write feeds and sample, create accounts. `progress` gets (done, total)."""
    step("建表并载入行政区划")
    call_command("migrate", interactive=False, verbosity=0)
    divisions_load_builtin()
    villages = county_village_codes(county)
    out = Path(settings.DATA_DIR) / "demo"
    residents = out / RESIDENTS_FILE
    step(f"生成 {persons} 名居民")
    write_residents_file(residents, persons=persons, seed=seed, county=county, villages=villages, progress=progress)
    step("导入居民信息")
    result = residents_import(path=residents, actor=None, original_name=RESIDENTS_FILE, progress=progress)
    step("生成部门核对数据")
    as_of = as_of or timezone.localdate().replace(day=1)
    feeds = write_feeds(residents, out / "feeds", as_of=as_of, seed=seed, progress=_feed_progress(progress))
    step("创建演示账号")
    sample = out / SAMPLE_FILE
    _write_bad_sample(residents, sample, demo_scopes(county)[1].code)
    built = DemoBuild(residents, sample, result, out / "feeds", feeds, as_of, demo_accounts_create(county))
    for module in DEMO_EXTENSIONS:
        import_module(module).demo_extend(built, step)
    return built


def _feed_progress(progress: Progress | None) -> Callable[[str], None] | None:
    if progress is None:
        return None
    done: list[str] = []

    def tick(feed_id: str) -> None:
        done.append(feed_id)
        progress(len(done), len(HEADERS))

    return tick


def _write_bad_sample(residents: Path, target: Path, village: str) -> None:
    """A small file for the import page: rows of the demo 村 worker's village plus bad rows, one per reason."""
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
