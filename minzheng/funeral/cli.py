"""殡葬: `minzheng funeral link-feed` (registered by minzheng.cli_extra)."""

from __future__ import annotations

import datetime as dt

import typer

from minzheng.cli import app, fail, print_json, setup_django

funeral_app = typer.Typer(help="殡葬管理", no_args_is_help=True)
app.add_typer(funeral_app, name="funeral")


@funeral_app.command("link-feed")
def link_feed(
    as_of: str = typer.Option("", "--as-of", help="数据时点（YYYY-MM-DD）；缺省为今天"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON 结果"),
) -> None:
    """把火化数据关联到火化记录：殡仪馆未登记的生成记录并发起身后一件事；重复执行不会重复生成。"""
    setup_django()
    from minzheng.funeral.services_feed import link_feed as run

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail(f"数据时点“{as_of}”应为 YYYY-MM-DD")
        return
    counts = run(day)
    if json_out:
        print_json(counts)
    else:
        typer.echo(
            f"已关联 {counts['seen']} 条，新生成 {counts['created']} 条，居民库中未找到 {counts['unmatched']} 条"
        )
