"""`minzheng import residents FILE [--json]`: the import as a resumable job, followed with a progress bar."""

from __future__ import annotations

from pathlib import Path

import typer

from minzheng.cli import fail, import_app, print_json, setup_django


@import_app.command("residents")
def import_residents(
    file: Path = typer.Argument(..., help="居民信息 CSV（UTF-8/GBK/GB18030）或 XLSX"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON 结果"),
) -> None:
    """导入居民信息；错误行写入错误行文件。中断后再次执行同一命令，从断点继续。"""
    setup_django()
    from minzheng.jobs.cli import follow
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import job_start_in_background
    from minzheng.registry.tasks import import_job_for_file

    if not file.is_file():
        fail(f"文件不存在：{file}")
    job, resumed = import_job_for_file(file)
    if job is None:
        fail("同一文件的导入任务正在另一进程中运行；请稍后再试，或用 minzheng jobs list 查看")
    if resumed and not json_out:
        typer.echo(f"从断点继续任务 {job.pk}（已处理 {job.progress_done} 行）")
    job_start_in_background(job)
    job = follow(job, quiet=json_out, label=f"导入 {file.name}")
    if job.status == Job.Status.FAILED:
        fail(f"{file.name}：{job.error}；未导入任何数据" if not job.checkpoint.get("rows_done") else job.error)
    result = job.result
    if json_out:
        print_json(result)
        return
    typer.echo(
        f"共 {result['rows']} 行：接收 {result['accepted']}，拒收 {result['rejected']}；"
        f"新增 {result['created']}，更新 {result['updated']}，未变 {result['unchanged']}"
    )
    if result["rejects_file"]:
        typer.echo(f"错误行及原因见：{result['rejects_file']}")
