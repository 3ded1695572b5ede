"""`minzheng jobs …`: list background jobs and follow one with a progress bar."""

from __future__ import annotations

import time
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from minzheng.cli import app, fail, print_json, setup_django

jobs_app = typer.Typer(help="后台任务", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
files_app = typer.Typer(help="上传、导出和错误行文件", no_args_is_help=True)
app.add_typer(files_app, name="files")


@jobs_app.command("list")
def jobs_list(limit: int = typer.Option(20, help="显示条数")) -> None:
    """最近的后台任务及其进度。"""
    setup_django()
    from django.utils import timezone

    from minzheng.jobs.models import Job

    table = Table("编号", "类型", "状态", "进度", "创建时间", "失败原因")
    for job in Job.objects.order_by("-created_at")[:limit]:
        table.add_row(
            str(job.pk),
            job.kind,
            job.status_label,
            f"{job.progress_done}/{job.progress_total}（{job.percent}%）",
            f"{timezone.localtime(job.created_at):%Y-%m-%d %H:%M}",
            job.error[:40],
        )
    Console().print(table)


def follow(job: Any, *, quiet: bool = False, label: str = "") -> Any:
    """Show a progress bar until the job ends; returns the finished job. Ctrl-C marks it interrupted."""
    from minzheng.jobs.models import Job

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, disable=quiet, transient=True) as bar:
            task = bar.add_task(label or f"任务 {job.pk}", total=None)
            while job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
                bar.update(task, completed=job.progress_done, total=job.progress_total or None)
                time.sleep(0.3)
                job.refresh_from_db()
    except KeyboardInterrupt:
        # Marked failed at once, so running the same command again resumes from the checkpoint.
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(status=Job.Status.FAILED, error="已中断")
        fail(f"已中断；再次执行同一命令会从断点继续（任务 {job.pk}）", code=130)
    return job


@jobs_app.command("watch")
def jobs_watch(job_id: int, json_out: bool = typer.Option(False, "--json", help="结束后输出 JSON 结果")) -> None:
    """跟踪一个任务直到结束，显示进度条。"""
    setup_django()
    from minzheng.jobs.models import Job

    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        fail(f"任务 {job_id} 不存在")
    job = follow(job, quiet=json_out, label=f"任务 {job.pk}（{job.kind}）")
    if json_out:
        print_json({"id": job.pk, "status": job.status, "result": job.result, "error": job.error})
    elif job.status == Job.Status.FAILED:
        fail(f"任务失败：{job.error}")
    else:
        typer.echo(f"任务 {job.pk} 已完成：{job.result}")


@jobs_app.command("cancel")
def jobs_cancel(job_id: int) -> None:
    """取消一个排队中或运行中的任务：它在下一次报告进度时停止，且不会再被重新认领（记入审计日志）。"""
    setup_django()
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import JobError, job_cancel

    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        fail(f"任务 {job_id} 不存在")
    try:
        job = job_cancel(job=job, actor=None)
    except JobError as exc:
        fail(str(exc))
    typer.echo(f"已取消任务 {job.pk}（{job.kind}）")


@files_app.command("purge")
def files_purge(
    dry_run: bool = typer.Option(False, "--dry-run", help="只列出数量，不删除"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON 结果"),
) -> None:
    """删除超过保留期限（MINZHENG_FILE_RETENTION_DAYS，默认 30 天）的上传、导出和错误行文件；部门数据快照不动。"""
    setup_django()
    from minzheng.jobs.retention import purge_expired_files

    counts = purge_expired_files(dry_run=dry_run)
    if json_out:
        print_json(counts)
        return
    verb = "将删除" if dry_run else "已删除"
    typer.echo(
        f"{verb}超过 {counts['days']} 天的文件：上传 {counts['uploads']} 个，导出 {counts['exports']} 个，"
        f"错误行 {counts['rejects']} 个，共 {counts['bytes'] / (1 << 20):,.1f} MB"
    )
