"""`minzheng holidays import FILE`, `minzheng workdays add DATE N`, `minzheng workdays between A B`."""

from __future__ import annotations

from pathlib import Path

import typer

from minzheng.cli import app, fail, parse_date, print_json, setup_django

holidays_app = typer.Typer(help="节假日表（国务院办公厅节假日安排）", no_args_is_help=True)
workdays_app = typer.Typer(help="工作日计算（含调休）", no_args_is_help=True)
app.add_typer(holidays_app, name="holidays")
app.add_typer(workdays_app, name="workdays")

UNSETTLED = "（未核定：该年节假日安排尚未导入，按周末计算）"


@holidays_app.command("import")
def holidays_import_cmd(file: Path, json_out: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    """导入节假日安排（列：日期, 类型（休/班）, 名称）；任一行有误则整个文件不导入。"""
    setup_django()
    from minzheng.workdays.services import HolidayImportError, holidays_import

    try:
        result = holidays_import(path=file, actor=None)
    except HolidayImportError as exc:
        for line in exc.errors[:50]:
            typer.echo(line, err=True)
        fail(f"{len(exc.errors)} 处错误，整个文件未导入")
        return
    # Follow-up: dates counted with the old table (open cases' deadlines) are recounted now, here.
    from minzheng.jobs.services import job_run_now
    from minzheng.workdays.services import after_change

    follow_ups = [job_run_now(job) for job in after_change(None)]
    results = [job.result for job in follow_ups if job is not None]
    if json_out:
        print_json({**result.__dict__, "follow_ups": results})
        return
    typer.echo(
        f"共 {result.rows} 行：新增 {result.created}，修改 {result.updated}，未变 {result.unchanged}；"
        f"已核定年份：{'、'.join(map(str, result.years))}"
    )
    for done in results:
        typer.echo(done.get("summary", str(done)))


@workdays_app.command("add")
def workdays_add_cmd(date: str, n: int, json_out: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    """DATE 之后第 N 个工作日（DATE 当天不计）。"""
    setup_django()
    from minzheng.workdays.selectors import add_working_days, settled

    start = parse_date(date, "日期")
    if n < 0:
        fail("工作日数 N 不能为负数")
    end = add_working_days(start, n)
    ok = settled(start, end)
    if json_out:
        print_json({"date": start.isoformat(), "n": n, "result": end.isoformat(), "settled": ok})
        return
    typer.echo(end.isoformat() + ("" if ok else UNSETTLED))


@workdays_app.command("between")
def workdays_between_cmd(a: str, b: str, json_out: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    """A 之后到 B（含 B）之间的工作日数。"""
    setup_django()
    from minzheng.workdays.selectors import settled, working_days_between

    start, end = parse_date(a, "日期 A"), parse_date(b, "日期 B")
    count = working_days_between(start, end)
    ok = settled(start, end)
    if json_out:
        print_json({"from": start.isoformat(), "to": end.isoformat(), "working_days": count, "settled": ok})
        return
    typer.echo(str(count) + ("" if ok else UNSETTLED))
