"""`minzheng import residents FILE [--json]`: the import as a resumable job, followed with a progress bar."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from minzheng.cli import fail, import_app, print_json, setup_django


class _RefusedFileNoTraceback(logging.Filter):
    """A refused file (missing headers, unreadable) is the user's message on stderr, not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        from minzheng.core.tabular import TabularError

        return not (record.exc_info and isinstance(record.exc_info[1], TabularError))


_QUIET_REFUSAL = _RefusedFileNoTraceback()


class _RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} 行/秒" if task.speed else "", style="progress.data.speed")


def _follow(job: Any, label: str, *, quiet: bool) -> Any:
    """Progress bar in rows/s until the job ends: reading and checking the file, then writing it."""
    from minzheng.jobs.models import Job

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _RowsPerSecond())
    try:
        # No bar when the output is a pipe or a log: only the summary lines go there.
        with Progress(*columns, TimeElapsedColumn(), transient=True, disable=quiet or not sys.stdout.isatty()) as bar:
            task, writing = bar.add_task(f"{label}：读取校验", total=None), False
            while job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
                if job.progress_total and not writing:  # a total arrives once rows are being written
                    bar.reset(task, total=job.progress_total, description=f"{label}：写入")
                    writing = True
                bar.update(task, completed=job.progress_done)
                time.sleep(0.3)
                job.refresh_from_db()
    except KeyboardInterrupt:
        # Marked failed at once, so running the same command again resumes from the checkpoint.
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(status=Job.Status.FAILED, error="已中断")
        fail(f"已中断；再次执行同一命令会从断点继续（任务 {job.pk}）", code=130)
    return job


@import_app.command("residents")
def import_residents(
    file: Path = typer.Argument(..., help="居民信息 CSV（UTF-8/GBK/GB18030）或 XLSX"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON 结果"),
) -> None:
    """导入居民信息；错误行写入错误行文件。中断后再次执行同一命令，从断点继续。"""
    setup_django()
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import job_start_in_background
    from minzheng.registry.tasks import import_job_for_file

    if not file.is_file():
        fail(f"文件不存在：{file}")
    job, resumed = import_job_for_file(file)
    if job is None:
        fail("同一文件的导入任务正在另一进程中运行；请稍后再试，或用 minzheng jobs list 查看")
    if resumed and job.checkpoint.get("rows_done") and not json_out:
        typer.echo(f"从断点继续任务 {job.pk}（已写入 {job.checkpoint.get('applied', 0)} 行）")
    logging.getLogger("minzheng.jobs.services").addFilter(_QUIET_REFUSAL)  # the same filter once, however often
    job_start_in_background(job)
    job = _follow(job, f"导入 {file.name}", quiet=json_out)
    if job.status == Job.Status.FAILED:
        fail(f"{file.name}：{job.error}；未导入任何数据" if not job.checkpoint.get("rows_done") else job.error)
    _report(job.result, json_out)


def _report(result: dict[str, Any], json_out: bool) -> None:
    if json_out:
        from minzheng.registry.importing import ImportResult

        print_json(ImportResult(**result).as_dict())  # the documented key order (PostgreSQL's jsonb sorts keys)
        return
    typer.echo(
        f"共 {result['rows']} 行：接收 {result['accepted']}，拒收 {result['rejected']}；"
        f"新增 {result['created']}，更新 {result['updated']}，未变 {result['unchanged']}"
    )
    if result["rejects_file"]:
        typer.echo(f"错误行及原因见：{result['rejects_file']}")
