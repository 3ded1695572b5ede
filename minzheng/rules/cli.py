"""政策目录与资格判定: `minzheng params …` and `minzheng eligibility …` (registered by minzheng.cli_extra)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from minzheng.cli import app, fail, parse_date, print_json, setup_django

params_app = typer.Typer(help="政策参数（按区划、按日期生效）", no_args_is_help=True)
app.add_typer(params_app, name="params")


def _date(text: str, option: str) -> dt.date:
    return parse_date(text, option)


@params_app.command("import")
def params_import_cmd(
    file: Path = typer.Argument(..., help="参数文件（minzheng 格式或 OpenFisca 参数 YAML），或 OpenFisca 参数目录"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON 结果"),
) -> None:
    """导入参数文件；任何一处错误则整个文件不导入。重复导入同一文件不改变任何数据。"""
    setup_django()
    from minzheng.rules.services import ParamFileError, params_import

    if not file.exists():
        fail(f"文件不存在：{file}")
    try:
        result = params_import(actor=None, path=file)
    except ParamFileError as exc:
        for line in exc.errors[:50]:
            typer.echo(line, err=True)
        fail(f"{file.name}：{len(exc.errors)} 处错误，整个文件未导入")
    if json_out:
        print_json(result.as_dict())
        return
    typer.echo(
        f"{result.file}：共 {result.rows} 条（{len(result.keys)} 个参数）：新增 {result.created}，"
        f"更新 {result.updated}，未变 {result.unchanged}"
    )


@params_app.command("export")
def params_export_cmd(
    fmt: str = typer.Option("minzheng", "--format", help="minzheng 或 openfisca"),
    key: str = typer.Option("", "--key", help="只导出一个参数"),
    output: Path = typer.Option(None, "--output", "-o", help="写入文件（默认输出到屏幕）"),
) -> None:
    """导出全部参数（minzheng 格式或 OpenFisca 参数 YAML），可再次导入。"""
    setup_django()
    from minzheng.rules.paramfile import dump_minzheng, dump_openfisca
    from minzheng.rules.selectors import param_records

    if fmt not in ("minzheng", "openfisca"):
        fail(f"--format 应为 minzheng 或 openfisca：{fmt}")
    records = param_records(key=key)
    text = dump_openfisca(records) if fmt == "openfisca" else dump_minzheng(records)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"已导出 {len(records)} 条到 {output}")


@params_app.command("show")
def params_show_cmd(
    key: str = typer.Argument(..., help="参数键，如 dibao.standard"),
    region: str = typer.Option("", "--region", help="区划代码（村/乡镇/县/市/省），空为全国"),
    date: str = typer.Option(None, "--date", help="生效判断日期 YYYY-MM-DD（默认今天）"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """某区划某日生效的参数值：村 → 乡镇 → 县 → 市 → 省 → 全国 逐级回退。"""
    setup_django()
    from django.utils import timezone

    from minzheng.rules.paramfile import parse_region
    from minzheng.rules.selectors import param_resolve

    on = _date(date, "--date") if date else timezone.localdate()
    try:
        parse_region(region)
    except ValueError as exc:
        fail(f"--region：{exc}")
    found = param_resolve(key, region, on)
    if found is None:
        fail(f"参数 {key} 在区划“{region or '全国'}” {on} 没有生效的取值")
    data = {
        "key": found.key,
        "region": region,
        "date": on.isoformat(),
        "value": str(found.value),
        "unit": found.unit,
        "from_region": found.region_code,
        "effective_from": found.effective_from.isoformat(),
        "reference": found.reference,
    }
    if json_out:
        print_json(data)
        return
    typer.echo(
        f"{key} = {found.value} {found.unit}（{found.region_code or '全国'}，{found.effective_from} 起；"
        f"依据：{found.reference or '未注明'}）"
    )


eligibility_app = typer.Typer(help="资格判定：一户、批量、政策测算", no_args_is_help=True)
app.add_typer(eligibility_app, name="eligibility")


def _money(fen: int) -> str:
    from minzheng.rules.eligibility import fen_text

    return fen_text(fen)


@eligibility_app.command("household")
def eligibility_household_cmd(
    household_no: str = typer.Argument(..., help="户编号"),
    as_of: str = typer.Option(..., "--as-of", help="判定日期 YYYY-MM-DD"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """一户的可享政策：每项政策是否符合、金额（分）及中文理由。"""
    setup_django()
    from minzheng.registry.models import Household

    on = _date(as_of, "--as-of")
    household = Household.objects.filter(household_no=household_no).first()
    if household is None:
        fail(f"户编号 {household_no} 不存在")
    result = _household_result(household, on)
    if json_out:
        print_json(result)
        return
    typer.echo(f"户 {result['household']}（{result['as_of']}）{'' if result['verified'] else '：尚无核对数据'}")
    typer.echo("以下为依据户籍和部门数据的预判，不是审批结论。")
    for p in result["policies"]:
        if not p["applicable"]:
            continue
        typer.echo(f"- {p['name']}{_who(p)}：{_verdict(p)}")
        for line in p["explanation"]:
            mark = "？" if line["passed"] is None else ("✓" if line["passed"] else "✗")
            typer.echo(f"    {mark} {line['text']}")
    if result.get("hidden"):
        typer.echo(f"另有 {result['hidden']} 项政策因年龄、身份或本地未开展而不适用，未列出。")


def _household_result(household: object, on: dt.date) -> dict[str, object]:
    """The household's screening; any failure is one Chinese line on stderr, never a traceback."""
    import logging

    from minzheng.rules.engine.catalogue import CatalogueError
    from minzheng.rules.engine.evaluate import EvaluationError
    from minzheng.rules.engine.inputs import InputError
    from minzheng.rules.services import household_eligibility

    try:
        return household_eligibility(actor=None, household=household, as_of=on)
    except (EvaluationError, InputError, CatalogueError) as exc:
        fail(f"无法判定：{exc}")
    except Exception as exc:  # the CLI never shows a traceback; the log keeps it for the administrator
        logging.getLogger("minzheng.rules").exception("eligibility household failed")
        fail(f"判定出错（{type(exc).__name__}），详情已写入日志")
    raise AssertionError  # unreachable: fail() exits


def _who(p: dict[str, object]) -> str:
    return f"（{p['person']}）" if p["person"] else ""


def _verdict(p: dict[str, object]) -> str:
    if p["excluded_by"] and p["eligible"] is False:
        return f"不重复享受（已由 {p['excluded_by']} 保障）"
    if p["eligible"] is None:
        return f"待核对，缺少{'、'.join(p['missing'])}"  # type: ignore[arg-type]
    if p["eligible"]:
        amount = f"，测算 {_money(p['amount_fen'])}/{p['period']}" if p["amount_fen"] else ""  # type: ignore[arg-type]
        return f"{p['status']}{amount}；尚需{'、'.join(str(c).split('（')[0] for c in p['to_confirm'])}"  # type: ignore[attr-defined]
    return str(p["status"])


def _batch_job(on: dt.date, region: str, engine: str) -> tuple[object, bool]:
    """An unfinished run with the same date, region and engine resumes; else a new one starts."""
    from minzheng.jobs.models import Job
    from minzheng.rules.models import EligibilityRun
    from minzheng.rules.services import eligibility_batch_start
    from minzheng.rules.tasks import BATCH_KIND

    unfinished = (
        EligibilityRun.objects.filter(as_of=on, region_code=region, engine=engine)
        .exclude(status=EligibilityRun.Status.DONE)
        .order_by("-started_at")
        .first()
    )
    if unfinished is not None:
        job = Job.objects.filter(kind=BATCH_KIND, params__run_id=unfinished.pk).exclude(status=Job.Status.DONE).first()
        if job is not None:
            Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(status=Job.Status.QUEUED, error="")
            job.refresh_from_db()
            return job, True
    _, job = eligibility_batch_start(actor=None, as_of=on, region_code=region, engine=engine)
    return job, False


@eligibility_app.command("batch")
def eligibility_batch_cmd(
    as_of: str = typer.Option(..., "--as-of", help="判定日期 YYYY-MM-DD"),
    region: str = typer.Option("", "--region", help="范围（区划代码前缀），空为全部"),
    engine: str = typer.Option("polars", "--engine", help="polars 或 spark"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """批量资格判定：按县写出判定表（Parquet）、汇总和 应享未享 / 不应享而享 清单。中断后再次执行会续跑。"""
    setup_django()
    from minzheng.jobs.cli import follow
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import job_start_in_background
    from minzheng.rules.services import RulesError

    on = _date(as_of, "--as-of")
    try:
        job, resumed = _batch_job(on, region, engine)
    except RulesError as exc:
        fail(str(exc))
    if resumed and not json_out:
        typer.echo(f"从断点继续任务 {job.pk}（已完成 {len(job.checkpoint.get('counties', {}))} 个县）")  # type: ignore[attr-defined]
    job_start_in_background(job)  # type: ignore[arg-type]
    job = follow(job, quiet=json_out, label="资格判定")
    if job.status == Job.Status.FAILED:
        fail(f"资格判定失败：{job.error}")
    result = job.result
    if json_out:
        print_json(result)
        return
    typer.echo(
        f"资格判定 {result['as_of']}（{result['engine']}）：{result['counties']} 个县，{result['households']} 户，"
        f"判定 {result['decisions']} 条（预判）；应享未享 {result['missing']}，不应享而享 {result['undue']}，"
        f"待核对 {result.get('undecided', 0)}"
    )
    typer.echo(f"判定表：{result['output_dir']}")


@eligibility_app.command("whatif")
def eligibility_whatif_cmd(
    param: str = typer.Option(..., "--param", help="参数键，如 dibao.standard"),
    region: str = typer.Option(..., "--region", help="调整适用的区划（含下级）"),
    from_date: str = typer.Option(..., "--from", help="调整起始日期 YYYY-MM-DD"),
    scale: str = typer.Option(..., "--scale", help="倍数，如 1.05"),
    as_of: str = typer.Option(..., "--as-of", help="测算日期 YYYY-MM-DD"),
    engine: str = typer.Option("polars", "--engine", help="polars 或 spark"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """政策测算：参数按倍数调整后，各项政策新增、减少的对象和每月资金变化（分）。"""
    setup_django()
    from decimal import Decimal, InvalidOperation

    from minzheng.rules.services import RulesError, whatif

    try:
        factor = Decimal(scale)
    except InvalidOperation:
        fail(f"--scale 应为数字：{scale}")
    try:
        result = whatif(
            actor=None,
            key=param,
            region_code=region,
            from_date=_date(from_date, "--from"),
            scale=factor,
            as_of=_date(as_of, "--as-of"),
            engine=engine,
        )
    except RulesError as exc:
        fail(str(exc))
    if json_out:
        print_json(result.as_dict())
        return
    typer.echo(f"{param} 在 {region} 自 {from_date} 起 × {scale}，测算日期 {as_of}，{result.households} 户：")
    for c in result.policies:
        if c.gaining or c.losing or c.cost_change_fen:
            sign = "+" if c.cost_change_fen >= 0 else ""
            typer.echo(
                f"- {c.name}：新增 {c.gaining}，减少 {c.losing}；资金 {_money(c.cost_before_fen)} → "
                f"{_money(c.cost_after_fen)}/{c.period}（{sign}{_money(c.cost_change_fen)}）"
            )
    typer.echo(f"每月资金变化：{_money(result.monthly_cost_change_fen)}")
