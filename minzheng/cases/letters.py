"""Letters as PDF (受理通知书, 不予受理告知书, 不予批准告知书, 批准通知书), drawn from the Letter record.

Uses reportlab's built-in CID font STSong-Light, like the 核对报告: no font files to ship.
A letter carries no identity number; it names the addressee, the case, the reasons and the
legal basis, and for refusals the person's remedies (行政复议 / 行政诉讼).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from minzheng.cases.models import Letter

FONT = "STSong-Light"
REMEDY = "如对本决定不服，可以自收到本告知书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
OPENINGS = {
    Letter.Kind.ACCEPTED: (
        "您（家）提出的{t}申请，材料已收到，经审查符合受理条件，现予受理。"
        "我们将依法开展家庭经济状况调查，并在规定时限内办结。"
    ),
    Letter.Kind.REFUSED: "您提出的{t}申请，经审查不符合受理条件，决定不予受理。理由如下：",
    Letter.Kind.REJECTED: "您（家）提出的{t}申请，经调查、审核，决定不予批准。理由如下：",
    Letter.Kind.APPROVED: "您（家）提出的{t}申请，经调查、审核、公示，决定予以批准。",
    Letter.Kind.STOPPED: "经核实，您（家）已不再符合最低生活保障等救助条件，决定自次月起停发。理由如下：",
}


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def letter_lines(letter: Letter) -> list[str]:
    """The letter's paragraphs, also shown on the page before printing."""
    body: dict[str, Any] = letter.body or {}
    lines = [f"{letter.addressee}：", OPENINGS[Letter.Kind(letter.kind)].format(t=body.get("case_type", ""))]
    refusal = letter.kind in (Letter.Kind.REFUSED, Letter.Kind.REJECTED, Letter.Kind.STOPPED)
    if refusal:
        lines.append(body.get("reasons") or "（未填写理由）")
    if letter.kind == Letter.Kind.APPROVED and body.get("amount_fen"):
        lines.append(f"核定保障金额为每月 {int(body['amount_fen']) / 100:,.2f} 元，自批准次月起发放。")
    if body.get("legal_basis"):
        lines.append("依据：" + "；".join(body["legal_basis"]) + "。")
    if refusal:
        lines.append(REMEDY)
    return lines


def letter_pdf(letter: Letter, issuer: str) -> bytes:
    title = Letter.Kind(letter.kind).label
    return document_pdf(title, letter.number, letter_lines(letter), issuer, letter.issued_on)


def document_pdf(title: str, number: str, lines: list[str], issuer: str, issued_on: dt.date) -> bytes:
    """An A4 notice: title, number, addressee line, paragraphs, issuer and date (also payments' letters)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=20, wordWrap="CJK", firstLineIndent=24)
    first = ParagraphStyle("first", parent=body, firstLineIndent=0)
    h1 = ParagraphStyle("h1", parent=body, fontSize=18, leading=26, alignment=1, firstLineIndent=0, spaceAfter=4)
    right = ParagraphStyle("right", parent=body, alignment=2, firstLineIndent=0)
    story: list[Any] = [
        Paragraph(_escape(title), h1),
        Paragraph(_escape(number), ParagraphStyle("no", parent=right, fontSize=10)),
        Spacer(1, 8),
        Paragraph(_escape(lines[0]), first),
        *[Paragraph(_escape(line), body) for line in lines[1:]],
        Spacer(1, 24),
        Paragraph(_escape(issuer), right),
        Paragraph(f"{issued_on:%Y年%-m月%-d日}", right),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{title} {number}",
        leftMargin=25 * mm,
        rightMargin=25 * mm,
    ).build(story)
    return buffer.getvalue()
