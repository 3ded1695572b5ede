"""Exports of a dashboard: Excel through core.sheets, the monthly PDF report (reportlab, STSong-Light).

Both are built from the same stored figures the page shows (the context of views._context), so the
report says what the board said at that refresh, and both carry the refresh time.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.http import HttpResponse

from minzheng.core.sheets import Sheet, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT = "STSong-Light"  # reportlab's built-in CID font, as cases/letters.py: no font file to ship


def attachment(body: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _refreshed(context: dict[str, Any]) -> str:
    r = context.get("refreshed")
    return f"{r.finished_at:%Y-%m-%d %H:%M}" if r else "尚未刷新"


def _figure_rows(context: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for v in context["figures"]:
        unit = "元" if v.money else v.unit
        rows.append([v.group, v.label, "合计", v.display, unit])
        rows += [[v.group, v.label, b.label, b.display, unit] for b in v.buckets]
    return rows


def board_xlsx(context: dict[str, Any]) -> bytes:
    title = [f"{context['division_name']}（{context['division']}）民政大脑", f"数据刷新时间：{_refreshed(context)}"]
    figures = context["figures"]
    by_child = [[c.name, c.code, *(c.values[f.key] for f in figures)] for c in context["children"]]
    sheets = [
        Sheet("指标", ["分组", "指标", "分项", "数值", "单位"], _figure_rows(context), above=[[t] for t in title]),
        Sheet("下级区划", ["名称", "区划代码", *(f"{f.label}（{'元' if f.money else f.unit}）" for f in figures)],
              by_child, above=[[t] for t in title]),
    ]  # fmt: skip
    return xlsx_bytes(sheets)


def report_name(context: dict[str, Any]) -> str:
    r = context.get("refreshed")
    month = f"{r.as_of:%Y-%m}" if r else "未刷新"
    return f"民政工作月报-{context['division']}-{month}.pdf"


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "body": body,
        "h1": ParagraphStyle("h1", parent=body, fontSize=17, leading=26, alignment=1, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=body, fontSize=12.5, leading=20, spaceBefore=10, spaceAfter=4),
    }


def _table(rows: list[list[str]], widths: list[float], style: Any) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    cells = [[Paragraph(escape(str(c)), style) for c in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c8d1dc")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f0fb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))  # fmt: skip
    return table


def monthly_pdf(context: dict[str, Any]) -> bytes:
    """A4 report: every figure group as a table, then the sub-divisions' main figures."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    s = _styles()
    r = context.get("refreshed")
    month = f"{r.as_of:%Y年%-m月}" if r else ""
    story: list[Any] = [
        Paragraph(escape(f"{context['division_name']}民政工作月报 {month}"), s["h1"]),
        Paragraph(escape(f"区划代码 {context['division']}；数据刷新时间 {_refreshed(context)}"), s["body"]),
    ]
    for group, views in context["groups"].items():
        story.append(Paragraph(escape(group), s["h2"]))
        rows = [["指标", "分项", "数值", "单位"]]
        for v in views:
            unit = "元" if v.money else v.unit
            rows.append([v.label, "合计", v.display, unit])
            rows += [["", b.label, b.display, unit] for b in v.buckets]
        story.append(_table(rows, [60 * mm, 50 * mm, 35 * mm, 20 * mm], s["body"]))
    if context["children"]:
        main = context["columns"][:5]
        story.append(Paragraph("下级区划", s["h2"]))
        rows = [["名称", *(f.label for f in main)]]
        rows += [[c.name, *(c.values[f.key] for f in main)] for c in context["children"]]
        story.append(_table(rows, [40 * mm] + [125 * mm / max(len(main), 1)] * len(main), s["body"]))
    buffer = io.BytesIO()
    title = f"{context['division_name']}民政工作月报"
    SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=20 * mm, rightMargin=20 * mm).build(story)
    return buffer.getvalue()
