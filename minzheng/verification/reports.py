"""The 核对报告 (household verification report): the page's view model, the PDF and the XLSX.

All three read the result frozen in `VerificationReport.summary`, so a report says the same thing
whenever it is opened or downloaded. The PDF uses reportlab's built-in CID font STSong-Light
(Adobe-GB1), so no font file ships with the project; the XLSX writes identity numbers as text cells.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from minzheng.verification.engine.texts import FEED_LABELS, FLAG_LABELS

TITLE = "家庭经济状况核对报告"
FONT = "STSong-Light"
LEGAL_BASIS = "依据《社会救助暂行办法》第五十八条，经家庭成员书面授权（核对授权书），查询相关部门数据。"


def yuan_text(fen: int | None) -> str:
    """Integer fen → '85,000.00' (never through float)."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def area_text(m2: float | None) -> str:
    return "—" if m2 is None else f"{m2:,.2f}"


@dataclass
class MemberView:
    name: str
    relation: str
    id_number: str
    flags: list[str]
    income: list[tuple[str, str]]
    findings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReportView:
    report_no: str
    household_no: str
    as_of: str
    requested_by: str
    requested_at: str
    authorisation_ref: str
    flags: list[str]
    totals: list[tuple[str, str]]
    members: list[MemberView]
    snapshots: list[tuple[str, str]]
    legal_basis: str = LEGAL_BASIS


def _totals(t: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("家庭人数", f"{t['members']} 人"),
        ("家庭月收入合计", f"{yuan_text(t['income_monthly_fen'])} 元"),
        ("月人均收入", f"{yuan_text(t['per_capita_income_monthly_fen'])} 元"),
        ("其中：工资性收入", f"{yuan_text(t['income_wage_fen'])} 元/月"),
        ("养老金", f"{yuan_text(t['income_pension_fen'])} 元/月"),
        ("失业金", f"{yuan_text(t['income_unemployment_fen'])} 元/月"),
        ("其他收入（税务申报）", f"{yuan_text(t['income_other_fen'])} 元/月"),
        ("银行存款", f"{yuan_text(t['deposits_fen'])} 元"),
        ("证券资产市值", f"{yuan_text(t['securities_fen'])} 元"),
        ("住房公积金余额", f"{yuan_text(t['housing_fund_balance_fen'])} 元"),
        ("车辆", f"{t['vehicle_count']} 辆，价值合计 {yuan_text(t['vehicle_value_fen'])} 元"),
        ("房产", f"{t['real_estate_count']} 处，建筑面积合计 {area_text(t['real_estate_area_m2'])} 平方米"),
        (
            "企业（存续/在业）",
            f"{t['enterprise_count']} 户，认缴出资额合计 {yuan_text(t['enterprise_capital_fen'])} 元",
        ),
        ("已死亡成员", f"{t['deceased_members']} 人"),
    ]


def _member(m: dict[str, Any]) -> MemberView:
    inc = m["income_monthly_fen"]
    wage_from = {"social_insurance": "（社保缴费基数）", "tax": "（税务工资薪金所得）"}.get(
        m.get("wage_source") or "", ""
    )
    income = [
        ("工资性收入" + wage_from, yuan_text(inc["wage"])),
        ("养老金", yuan_text(inc["pension"])),
        ("失业金", yuan_text(inc["unemployment"])),
        ("其他收入", yuan_text(inc["other"])),
        ("月收入合计", yuan_text(inc.get("total", sum(inc[k] for k in ("wage", "pension", "unemployment", "other"))))),
    ]
    findings = [
        {
            "feed_name": f.get("feed_name") or FEED_LABELS.get(f["feed"], f["feed"]),
            "feed_as_of": f["feed_as_of"],
            "rows": "、".join(str(r) for r in f["evidence"].get("rows", [f["row"]])),
            "text": f["text"],
            "counted": f["counted"],
        }
        for f in m["findings"]
    ]
    flags = [FLAG_LABELS.get(f, f) for f in m["flags"]]
    if "deceased" in m["flags"]:
        sources = "、".join(FEED_LABELS.get(s, s) for s in m.get("death_sources", []))
        flags[m["flags"].index("deceased")] = f"已死亡（{m.get('died_on') or '日期不详'}，据{sources}）"
    return MemberView(m["name"], m.get("relation", ""), m["id_number"], flags, income, findings)


def report_view(report: Any) -> ReportView:
    s = report.summary
    requested_at = timezone.localtime(report.requested_at).strftime("%Y-%m-%d %H:%M:%S")
    snapshots = [(FEED_LABELS.get(k, k), "、".join(v) or "无") for k, v in sorted(s.get("snapshots", {}).items())]
    return ReportView(
        report_no=report.report_no,
        household_no=s["household"],
        as_of=s["as_of"],
        requested_by=report.requested_by_name or str(report.requested_by or ""),
        requested_at=requested_at,
        authorisation_ref=report.authorisation_ref,
        flags=[FLAG_LABELS.get(f, f) for f in s["totals"]["flags"]],
        totals=_totals(s["totals"]),
        members=[_member(m) for m in s["members"]],
        snapshots=snapshots,
    )


# --- PDF ------------------------------------------------------------------------------------------


def report_pdf(report: Any) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    v = report_view(report)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, alignment=1, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4)
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ]
    )

    def p(text: str) -> Paragraph:
        return Paragraph(_escape(text), body)

    story: list[Any] = [Paragraph(TITLE, h1)]
    head = [
        ["报告编号", v.report_no, "户编号", v.household_no],
        ["数据时点", v.as_of, "核对时间", v.requested_at],
        ["核对人", v.requested_by, "核对授权书编号", v.authorisation_ref],
    ]
    story.append(Table([[p(c) for c in row] for row in head], colWidths=[28 * mm, 57 * mm, 32 * mm, 57 * mm]))
    story[-1].setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 9), ("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]))
    story += [Spacer(1, 4), p(v.legal_basis), Paragraph("家庭合计", h2)]
    totals = Table([[p("项目"), p("核对结果")], *[[p(a), p(b)] for a, b in v.totals]], colWidths=[50 * mm, 124 * mm])
    totals.setStyle(grid)
    story.append(totals)
    for m in v.members:
        story.append(Paragraph(f"{_escape(m.name)}（{_escape(m.relation)}，{m.id_number}）", h2))
        story.append(p("标记：" + ("、".join(m.flags) or "无")))
        story.append(p("月收入（元）：" + "；".join(f"{a} {b}" for a, b in m.income)))
        rows = [[p("数据项"), p("数据时点"), p("源文件行号"), p("核对发现")]]
        rows += [[p(f["feed_name"]), p(f["feed_as_of"]), p(f["rows"]), p(f["text"])] for f in m.findings]
        if not m.findings:
            rows.append([p("—"), p("—"), p("—"), p("各部门数据中未发现该成员的记录")])
        table = Table(rows, colWidths=[28 * mm, 22 * mm, 24 * mm, 100 * mm], repeatRows=1)
        table.setStyle(grid)
        story.append(table)
    story += [Paragraph("所用数据快照", h2), p("；".join(f"{a} {b}" for a, b in v.snapshots) or "无")]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=f"{TITLE} {v.report_no}", leftMargin=18 * mm, rightMargin=18 * mm
    )
    doc.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- XLSX -----------------------------------------------------------------------------------------


FINDING_COLUMNS = ["姓名", "公民身份号码", "数据项", "数据时点", "源文件行号", "是否计入", "核对发现"]


def report_xlsx(report: Any) -> bytes:
    from minzheng.core.sheets import Cell, Sheet, xlsx_bytes

    v = report_view(report)
    head = [
        ("报告编号", v.report_no),
        ("户编号", v.household_no),
        ("数据时点", v.as_of),
        ("核对时间", v.requested_at),
        ("核对人", v.requested_by),
        ("核对授权书编号", v.authorisation_ref),
        ("家庭标记", "、".join(v.flags) or "无"),
    ]
    # Every cell is text (the view formats the amounts); identity numbers as "@" cells, never 3.30212E+17.
    summary = [[Cell(str(a), bold=True), Cell(str(b), num_format="@")] for a, b in [*head, ("", ""), *v.totals]]
    cols = ["姓名", "与户主关系", "公民身份号码", "标记", *[a for a, _ in v.members[0].income]] if v.members else []
    members = [[m.name, m.relation, m.id_number, "、".join(m.flags), *[str(x) for _, x in m.income]] for m in v.members]
    findings = [
        [
            m.name,
            m.id_number,
            f["feed_name"],
            f["feed_as_of"],
            str(f["rows"]),
            "是" if f["counted"] else "否",
            f["text"],
        ]
        for m in v.members
        for f in m.findings
    ]
    return xlsx_bytes([
        Sheet("核对报告", rows=summary, above=[[TITLE], []], widths=[(0, 0, 22), (1, 1, 70)]),
        Sheet("家庭成员", cols, members, formats={2: "@"}, widths=[(2, 2, 22)]),
        Sheet("核对发现", FINDING_COLUMNS, findings, formats={1: "@"}, widths=[(1, 1, 22), (6, 6, 90)]),
    ])  # fmt: skip
