"""一键核对（家庭经济状况核对）: `minzheng` commands (registered by minzheng.cli_extra)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import typer

from minzheng.cli import app
from minzheng.core.dates import DateInputError, parse_day


def parse_date(text: Any, what: str = "数据时点") -> Any:
    """A typed --as-of through core.dates (1900–2099), or exit with its Chinese message; never a traceback."""
    from minzheng.cli import fail

    try:
        return parse_day(text, what)
    except DateInputError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits


# The `minzheng verify …` group: every verification command (household, batch, …) hangs here.
verify_app = typer.Typer(help="一键核对（家庭经济状况核对）", no_args_is_help=True)
app.add_typer(verify_app, name="verify")


# --- minzheng verify batch (v3_batch) ------------------------------------------------------------
@verify_app.command("batch")
def verify_batch(
    as_of: str = typer.Option(..., "--as-of", help="数据时点 YYYY-MM-DD：每个部门取该日及以前最新的一份数据"),
    engine: str = typer.Option("duckdb", "--engine", help="计算引擎：duckdb（单机）或 spark"),
    all_households: bool = typer.Option(False, "--all", help="核对全部家庭（默认只核对有保障对象标签的家庭）"),
    income_ratio: float = typer.Option(
        None, "--income-ratio", help="收入变化阈值：月人均收入变化超过原值的比例，默认 0.2"
    ),
    income_min_yuan: float = typer.Option(
        None, "--income-min-yuan", help="收入变化阈值：至少变化的元数/人/月，默认 100"
    ),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON 摘要"),
) -> None:
    """批量复核：全部保障对象家庭对照各部门最新数据重新核对，与上次结果的差异进入核对工作清单。

    中断后再次执行同一命令，从断点继续；同一数据时点再次执行，不会重复存储结果或清单条目。
    """

    from minzheng.cli import fail, print_json, setup_django

    setup_django()
    from minzheng.jobs.cli import follow
    from minzheng.jobs.services import job_start_in_background
    from minzheng.verification.batchrun import batch_job_for, summary
    from minzheng.verification.models import BatchRun

    day = parse_date(as_of)
    if engine not in BatchRun.Engine.values:
        fail(f"未知的计算引擎“{engine}”：可选 duckdb、spark")
    scope = BatchRun.Scope.ALL if all_households else BatchRun.Scope.BENEFICIARIES
    min_fen = None if income_min_yuan is None else round(income_min_yuan * 100)
    run, resumed = batch_job_for(
        as_of=day, engine=engine, scope=scope, income_ratio=income_ratio, income_min_fen=min_fen
    )
    if run is None:
        fail("同一数据时点的批量复核正在另一进程中运行；请稍后再试，或用 minzheng jobs list 查看")
    if resumed and not json_out:
        typer.echo(f"从断点继续批量复核 {run.pk}（已完成 {run.partitions_done}/{run.partitions_total} 个分区）")
    job_start_in_background(run.job)
    job = follow(run.job, quiet=json_out, label=f"批量复核（{day}，按县分区）")
    run.refresh_from_db()
    if job.status != "done":
        fail(f"批量复核失败：{job.error}；再次执行同一命令会从断点继续")
    result = summary(run)
    if json_out:
        print_json(result)
        return
    from minzheng.verification.engine.diff import KIND_LABELS

    typer.echo(
        f"批量复核 {run.pk} 完成：{result['households']} 户 {result['persons']} 人，{result['partitions']} 个分区，"
        f"用时 {result['seconds']:.1f} 秒；结果有变化 {result['stored']} 户"
    )
    for kind, label in KIND_LABELS.items():
        typer.echo(f"  {label}：{result['worklist'][kind]} 条")


# --- minzheng feeds … : the feed store's group (ingest: v1_feeds; match: v4_matching) ------------
# Created here if nobody has yet; every feeds command hangs on `feeds_app`.
if "feeds_app" not in globals():
    feeds_app = typer.Typer(help="部门核对数据：导入、身份匹配", no_args_is_help=True)
    app.add_typer(feeds_app, name="feeds")


@feeds_app.command("match")
def feeds_match(
    feed_id: str = typer.Argument(..., help="数据项，如 death、deposit"),
    as_of: str = typer.Option(..., "--as-of", help="数据时点 YYYY-MM-DD（该日的快照）"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """身份匹配：按身份号码、身份号码摘要精确匹配；其余行用 Splink 匹配，候选进入匹配复核。"""

    from minzheng.cli import fail, print_json, setup_django

    setup_django()
    from minzheng.verification.services_matching import MatchingError, matching_run

    day = parse_date(as_of)
    try:
        result = matching_run(actor=None, feed_id=feed_id, as_of=day)
    except MatchingError as exc:
        fail(str(exc))
    if json_out:
        print_json(result)
        return
    typer.echo(
        f"{feed_id} {day}：共 {result['rows']} 行；号码匹配 {result['id']} 行，摘要匹配 {result['digest']} 行，"
        f"其余 {result['residue']} 行中 {result['splink_rows']} 行找到候选"
    )
    typer.echo(
        f"新增待复核候选 {result['queued']} 条（该快照待复核共 {result['pending']} 条），"
        f"用时 {result['seconds']:.1f} 秒"
    )


# --- minzheng feeds ingest / list (v1_feeds) -----------------------------------------------------
class _RefusedFeedNoTraceback(logging.Filter):
    """A refused feed file is the user's message on stderr, not a traceback from the job runner."""

    def filter(self, record: logging.LogRecord) -> bool:
        from minzheng.verification.engine.ingest import FeedError

        return not (record.exc_info and isinstance(record.exc_info[1], FeedError))


_QUIET_FEED_REFUSAL = _RefusedFeedNoTraceback()


@feeds_app.command("ingest")
def feeds_ingest(
    feed_id: str = typer.Argument(..., help="数据项，如 vehicle、death（minzheng feeds list 列出全部）"),
    file: Path = typer.Argument(..., help="CSV（UTF-8/GBK/GB18030）或 XLSX"),
    as_of: str = typer.Option(
        None, "--as-of", help="数据时点 YYYY-MM-DD；省略时从文件名读取，如 vehicle_2026-12-01.csv"
    ),
    replace: bool = typer.Option(False, "--replace", help="替换该数据项同一数据时点的已有数据（原数据保留，可恢复）"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON 结果"),
) -> None:
    """导入一份部门核对数据：规范化、校验，接收的行写成快照，错误行及原因写入错误行文件。"""
    from minzheng.cli import fail, print_json, setup_django

    setup_django()
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import job_enqueue, job_start_in_background
    from minzheng.verification.engine.catalogue import FEEDS
    from minzheng.verification.engine.ingest import as_of_from_name
    from minzheng.verification.tasks import FEED_INGEST_KIND

    if feed_id not in FEEDS:
        fail(f"未知的数据项“{feed_id}”；可用：{'、'.join(FEEDS)}")
    if not file.is_file():
        fail(f"文件不存在：{file}")
    day = _feed_as_of(as_of, file.name, as_of_from_name)
    params = {
        "feed_id": feed_id,
        "path": str(file.resolve()),
        "as_of": day.isoformat(),
        "replace": replace,
        "original_name": file.name,
    }
    logging.getLogger("minzheng.jobs.services").addFilter(_QUIET_FEED_REFUSAL)
    job = job_enqueue(kind=FEED_INGEST_KIND, params=params)
    job_start_in_background(job)
    job = _feed_follow(job, f"导入 {file.name}", quiet=json_out)
    if job.status == Job.Status.FAILED:
        fail(f"{file.name}：{job.error}")
    result = job.result
    if json_out:
        keys = ("feed", "as_of", "rows", "accepted", "rejected", "snapshot", "rejects_file")
        print_json({k: result[k] for k in keys})
        return
    note = "（与已导入的文件相同，未做任何改动）" if result.get("unchanged") else ""
    typer.echo(
        f"{feed_id} 数据时点 {result['as_of']}：共 {result['rows']} 行，接收 {result['accepted']}，"
        f"拒收 {result['rejected']}{note}"
    )
    typer.echo(f"快照：{result['snapshot']}")
    if result["rejects_file"]:
        typer.echo(f"错误行及原因见：{result['rejects_file']}")


def _feed_as_of(option: str | None, name: str, from_name: Any) -> Any:
    from minzheng.cli import fail

    if option:
        return parse_date(option)
    day = from_name(name)
    if day is None:
        fail(f"请用 --as-of YYYY-MM-DD 给出数据时点（文件名“{name}”中没有日期）")
    return parse_date(day, f"文件名“{name}”中的数据时点")


def _feed_follow(job: Any, label: str, *, quiet: bool) -> Any:
    """Rich progress over the ingestion's steps until the job ends; Ctrl-C marks it interrupted."""
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from minzheng.cli import fail
    from minzheng.jobs.models import Job

    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), disable=quiet, transient=True
        ) as bar:
            task = bar.add_task(label, total=None)
            while job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
                step = (job.checkpoint or {}).get("step", "排队")
                bar.update(task, completed=job.progress_done, total=job.progress_total or None)
                bar.update(task, description=f"{label}：{step}")
                time.sleep(0.2)
                job.refresh_from_db()
            bar.update(task, completed=job.progress_total or 1, total=job.progress_total or 1)
    except KeyboardInterrupt:
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(status=Job.Status.FAILED, error="已中断")
        fail(f"已中断；再次执行同一命令即可重新导入（任务 {job.pk}）", code=130)
    return job


@feeds_app.command("restore")
def feeds_restore(
    feed_id: str = typer.Argument(..., help="数据项，如 vehicle"),
    as_of: str = typer.Option(..., "--as-of", help="数据时点 YYYY-MM-DD"),
    replaced: str = typer.Option(None, "--from", help="要恢复的 replaced-… 目录名；省略时恢复最近被替换的一份"),
) -> None:
    """恢复被 --replace 替换掉的数据（当前数据同样保留，可再次恢复）。"""

    from minzheng.cli import fail, setup_django

    setup_django()
    from minzheng.verification.engine.ingest import FeedError
    from minzheng.verification.services import feed_restore

    day = parse_date(as_of)
    try:
        delivery = feed_restore(actor=None, feed_id=feed_id, as_of=day, replaced_name=replaced)
    except FeedError as exc:
        fail(str(exc))
    typer.echo(
        f"已恢复 {feed_id} 数据时点 {day.isoformat()} 为文件“{delivery.source_name}”：共 {delivery.rows} 行，"
        f"接收 {delivery.accepted}，拒收 {delivery.rejected}"
    )


@feeds_app.command("list")
def feeds_list(json_out: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    """各数据项及已导入的交付（数据时点、行数、接收、拒收）。"""
    from minzheng.cli import print_json, setup_django

    setup_django()
    from rich.console import Console
    from rich.table import Table

    from minzheng.verification.engine.catalogue import FEEDS
    from minzheng.verification.models import FeedDelivery

    deliveries = list(FeedDelivery.objects.filter(status=FeedDelivery.Status.CURRENT).order_by("feed_id", "as_of"))
    if json_out:
        print_json(
            [
                {
                    "feed": d.feed_id,
                    "as_of": d.as_of.isoformat(),
                    "source_name": d.source_name,
                    "rows": d.rows,
                    "accepted": d.accepted,
                    "rejected": d.rejected,
                    "snapshot": d.snapshot_path,
                }
                for d in deliveries
            ]
        )
        return
    by_feed: dict[str, list[Any]] = {}
    for d in deliveries:
        by_feed.setdefault(d.feed_id, []).append(d)
    table = Table("数据项", "部门", "名称", "数据时点", "文件", "总行数", "接收", "拒收")
    for feed in FEEDS.values():
        rows = by_feed.get(feed.id) or [None]
        for d in rows:
            cells = (
                (d.as_of.isoformat(), d.source_name, str(d.rows), str(d.accepted), str(d.rejected)) if d else ("—",) * 5
            )
            table.add_row(feed.id, feed.department, feed.title, *cells)
    Console().print(table)


# --- minzheng verify household (v2_household) ---------------------------------------------------
@verify_app.command("household")
def verify_household(
    household_no: str = typer.Argument(..., help="户编号（导入居民信息时的户编号）"),
    as_of: str = typer.Option(..., "--as-of", help="数据时点 YYYY-MM-DD：每个部门取该日及以前最新的一份数据"),
    authorisation: str = typer.Option(
        None, "--authorisation", help="核对授权书编号；给出时出具核对报告（存档，可在网页查看和下载）"
    ),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """一键核对一户：各成员的收入、财产和状况，每项发现都注明部门数据、数据时点和源文件行号。"""

    from minzheng.cli import fail, print_json, setup_django

    setup_django()
    from minzheng.registry.models import Household
    from minzheng.verification import services

    day = parse_date(as_of)
    household = Household.objects.filter(household_no=household_no.strip()).first()
    if household is None:
        fail(f"户编号“{household_no}”不存在")
    try:
        if authorisation is not None:
            report = services.household_verify(
                actor=None, household=household, as_of=day, authorisation_ref=authorisation
            )
            shaped = {**report.summary, "report_no": report.report_no}
        else:
            shaped = services.household_check(actor=None, household=household, as_of=day)
    except services.VerificationError as exc:
        fail(str(exc))
    if json_out:
        print_json(shaped)
        return
    _print_household(shaped)


def _print_household(shaped: dict[str, Any]) -> None:
    """The readable Chinese table: one row per member, then every finding, then the household's totals."""
    from rich.console import Console
    from rich.table import Table

    from minzheng.verification.engine.texts import FLAG_LABELS
    from minzheng.verification.reports import area_text, yuan_text

    console = Console()
    title = f"户 {shaped['household']} 一键核对（数据时点 {shaped['as_of']}）"
    if shaped.get("report_no"):
        title += f"，核对报告 {shaped['report_no']}"
    members = Table(title=title)
    for header in ("姓名", "关系"):
        members.add_column(header, no_wrap=True)
    members.add_column("公民身份号码", no_wrap=True, min_width=18)  # never cut: it names the person
    members.add_column("标记", overflow="fold")
    for header in ("工资性", "养老金", "失业金", "其他"):
        members.add_column(header, justify="right", no_wrap=True)
    for m in shaped["members"]:
        inc = m["income_monthly_fen"]
        flags = "、".join(FLAG_LABELS.get(f, f) for f in m["flags"]) or "—"
        money = [yuan_text(inc[k]) for k in ("wage", "pension", "unemployment", "other")]
        members.add_row(m["name"], m.get("relation", ""), m["id_number"], flags, *money)
    console.print(members)
    for m in shaped["members"]:
        for f in m["findings"]:
            console.print(f"  {m['name']}｜{f['text']}", highlight=False)
    t = shaped["totals"]
    console.print(
        f"家庭合计：{t['members']} 人，月收入 {yuan_text(t['income_monthly_fen'])} 元，"
        f"月人均 {yuan_text(t['per_capita_income_monthly_fen'])} 元；存款 {yuan_text(t['deposits_fen'])} 元，"
        f"证券 {yuan_text(t['securities_fen'])} 元；"
        f"车辆 {t['vehicle_count']} 辆（{yuan_text(t['vehicle_value_fen'])} 元），"
        f"房产 {t['real_estate_count']} 处（{area_text(t['real_estate_area_m2'])} 平方米），"
        f"企业认缴出资 {yuan_text(t['enterprise_capital_fen'])} 元",
        highlight=False,
    )
