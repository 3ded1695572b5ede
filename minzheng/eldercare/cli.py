"""居家养老: `minzheng assess gbt42195`, `minzheng eldercare ...` (registered by minzheng.cli_extra)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from minzheng.cli import app, fail, parse_date, print_json, setup_django

assess_app = typer.Typer(help="老年人能力评估", no_args_is_help=True)
eldercare_app = typer.Typer(help="居家养老", no_args_is_help=True)
app.add_typer(assess_app, name="assess")
app.add_typer(eldercare_app, name="eldercare")


@assess_app.command("gbt42195")
def assess_gbt42195(
    input: Path = typer.Option(..., "--input", help="评估输入 JSON 文件"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """按 GB/T 42195-2022 计算一级指标得分、总分、初步等级、最终等级及变更依据。"""
    from minzheng.eldercare.assessment import AssessmentInputError, assess_input

    try:
        payload = json.loads(input.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"找不到输入文件 {input}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"输入文件 {input} 不是有效的 UTF-8 JSON：{exc}")
    try:
        result = assess_input(payload).as_dict()
    except AssessmentInputError as exc:
        fail("；".join(exc.problems))
    if as_json:
        print_json(result)
        return
    domains = "，".join(f"{name} {score}" for name, score in result["domains"].items())
    typer.echo(f"{domains}；总分 {result['total']}")
    typer.echo(f"初步等级 {result['initial_level']}（{result['initial_level_name']}）")
    typer.echo(f"最终等级 {result['final_level']}（{result['final_level_name']}）")
    for reason in result["reasons"]:
        typer.echo(f"  依据：{reason}")


@assess_app.command("mzt039")
def assess_mzt039(
    adl: int = typer.Argument(..., help="日常生活活动分级 0–3"),
    mental: int = typer.Argument(..., help="精神状态分级 0–3"),
    sensory: int = typer.Argument(..., help="感知觉与沟通分级 0–3"),
    social: int = typer.Argument(..., help="社会参与分级 0–3"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """MZ/T 039-2013（历史记录）：由四个一级指标分级查表得初步等级；表中无对应条款的转人工复核。"""
    from minzheng.eldercare.legacy import mzt039_level

    try:
        found = mzt039_level(adl, mental, sensory, social)
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        print_json({"level": found.level, "needs_review": found.needs_review, "note": found.note})
        return
    typer.echo(
        "需人工复核：" + found.note
        if found.needs_review
        else f"初步等级 {found.level}" + (f"（{found.note}）" if found.note else "")
    )


@eldercare_app.command("catalogue")
def catalogue_load_cmd() -> None:
    """载入服务项目目录（data/catalogue.yaml，GB/T 43153-2023 七类）。"""
    setup_django()
    from minzheng.eldercare.services import catalogue_load

    created, updated = catalogue_load(actor=None)
    typer.echo(f"服务项目：新增 {created}，更新 {updated}")


@eldercare_app.command("checks")
def checks_cmd(
    day: str = typer.Option("", "--date", help="核查日期 YYYY-MM-DD（默认今天）"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """对当天的订单运行服务真实性核查（时空重叠、行程、超时长、资质），疑点进入监管清单。"""
    setup_django()
    from django.utils import timezone

    from minzheng.eldercare.fraud import checks_run

    when = parse_date(day, "核查日期") if day else timezone.localdate()
    flags = checks_run(actor=None, day=when)
    if as_json:
        print_json({"date": when.isoformat(), "new_flags": [{"kind": f.kind, "order": f.order_id} for f in flags]})
        return
    typer.echo(f"{when}：新增疑点 {len(flags)} 条")
