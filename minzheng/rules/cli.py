"""政策目录与资格判定: `minzheng params …` and `minzheng eligibility …` (registered by minzheng.cli_extra)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from minzheng.cli import app, fail, print_json, setup_django

params_app = typer.Typer(help="政策参数（按区划、按日期生效）", no_args_is_help=True)
app.add_typer(params_app, name="params")


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} 应为 YYYY-MM-DD：{text}")
        raise  # unreachable: fail() exits


@params_app.command("import")
def params_import_cmd(
    file: Path = typer.Argument(..., help="参数文件（minzheng 格式或 OpenFisca 参数 YAML）"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON 结果"),
) -> None:
    """导入参数文件；任何一处错误则整个文件不导入。重复导入同一文件不改变任何数据。"""
    setup_django()
    from minzheng.rules.services import ParamFileError, params_import

    if not file.is_file():
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
