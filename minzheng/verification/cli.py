"""一键核对（家庭经济状况核对）: `minzheng` commands (registered by minzheng.cli_extra)."""

from __future__ import annotations

import typer

from minzheng.cli import app

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
    import datetime as dt

    from minzheng.cli import fail, print_json, setup_django

    setup_django()
    from minzheng.jobs.cli import follow
    from minzheng.jobs.services import job_start_in_background
    from minzheng.verification.batchrun import batch_job_for, summary
    from minzheng.verification.models import BatchRun

    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        fail(f"数据时点“{as_of}”不是 YYYY-MM-DD 格式的日期")
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
    import datetime as dt

    from minzheng.cli import fail, print_json, setup_django

    setup_django()
    from minzheng.verification.services import MatchingError, matching_run

    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        fail(f"数据时点“{as_of}”不是 YYYY-MM-DD 格式的日期")
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
