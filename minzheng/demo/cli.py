"""`minzheng demo`: a fresh embedded database with a generated county, then the web server."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from minzheng.cli import app, fail, setup_django

if TYPE_CHECKING:
    from minzheng.demo.build import DemoBuild


@app.command()
def demo(
    persons: int = typer.Option(20000, min=1, help="居民人数（基准测试可用 1000000）"),
    seed: int = typer.Option(2026, help="随机种子：相同种子生成相同的县（文件逐字节相同）"),
    county: str = typer.Option("330212", help="县级区划代码（默认 浙江省宁波市鄞州区）"),
    port: int = typer.Option(8000, help="Web 服务端口（监听 127.0.0.1）"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="生成后是否启动 Web 服务"),
) -> None:
    """重建内置数据库，生成演示县（居民、部门核对数据、各角色账号），并启动 Web 服务。"""
    # The demo county's feeds carry digests made with the demo key (settings.DEMO_FEED_DIGEST_KEY).
    os.environ.setdefault("MINZHENG_DEMO", "1")
    setup_django()
    from minzheng.demo.build import DemoError, fresh_sqlite_database

    console = Console(width=max(Console().width, 160))  # tokens must print whole
    try:
        fresh_sqlite_database()
        built = _build(console, persons=persons, seed=seed, county=county)
    except DemoError as exc:
        fail(str(exc))
    _report(console, built)
    if serve:
        from minzheng.server import serve_forever

        serve_forever(host="127.0.0.1", port=port, with_worker=True)


def _build(console: Console, *, persons: int, seed: int, county: str) -> DemoBuild:
    from minzheng.demo.build import demo_build

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("准备", total=None)

        def step(text: str) -> None:
            bar.update(task, description=text, completed=0, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        return demo_build(persons=persons, seed=seed, county=county, step=step, progress=progress)


def _report(console: Console, built: DemoBuild) -> None:
    from minzheng.demo.accounts import DEMO_PASSWORD

    r = built.import_result
    console.print(f"居民：{r.accepted} 人已导入，拒收 {r.rejected} 行（{built.residents_file}）")
    console.print(
        f"部门核对数据：{len(built.feeds)} 类，数据时点 {built.as_of.isoformat()}，在 {built.feeds_dir}"
        "（说明与摘要密钥见 README.txt）"
    )
    console.print(f"含错误行的示例文件（可在“导入”页面试用）：{built.sample_file}")
    table = Table("账号", "角色", "管辖范围", "密码", "姓名", "API 令牌", title="演示账号")
    for a in built.accounts:
        table.add_row(a.username, a.role_label, a.jurisdiction_name, DEMO_PASSWORD, a.display_name, a.token)
    console.print(table)
