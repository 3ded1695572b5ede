"""`minzheng import residents FILE [--json]`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from minzheng.cli import fail, import_app, print_json, setup_django


@import_app.command("residents")
def import_residents(
    file: Path = typer.Argument(..., help="居民信息 CSV（UTF-8/GBK/GB18030）或 XLSX"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON 结果"),
) -> None:
    """导入居民信息（居民信息导入模板）；错误行写入错误行文件，可修正后重新导入。"""
    setup_django()
    from minzheng.core.tabular import TabularError
    from minzheng.registry.importing import residents_import

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, disable=json_out, transient=True) as bar:
        task = bar.add_task("读取与校验", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, description="写入" if total else "读取与校验", completed=done, total=total or None)

        try:
            result = residents_import(path=file, actor=None, progress=progress)
        except TabularError as exc:
            fail(f"{file.name}：{exc}；未导入任何数据")
    if json_out:
        print_json(result.as_dict())
        return
    typer.echo(
        f"共 {result.rows} 行：接收 {result.accepted}，拒收 {result.rejected}；"
        f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
    )
    if result.rejects_file:
        typer.echo(f"错误行及原因见：{result.rejects_file}")
