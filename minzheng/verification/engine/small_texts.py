"""The finding texts and evidence of engine/small.py, piece for piece as facts.py and texts.py build
them with Polars expressions (same words, same number formats, same JSON)."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import polars as pl

from minzheng.verification.engine.texts import FEED_LABELS

Row = dict[str, Any]


class Unsupported(Exception):
    """An input engine/small.py does not reproduce exactly: the caller evaluates it with Polars."""


# The row's own values each finding's evidence carries, after the common keys (texts.row_findings).
VALUES = {
    "hukou": ("status", "cancelled_on", "household_ref"),
    "death": ("died_on",),
    "cremation": ("died_on", "cremated_on"),
    "vehicle": ("plate", "vehicle_type", "registered_on", "value_fen"),
    "real_estate": ("unit_no", "location", "area_m2", "use", "registered_on"),
    "enterprise": ("uscc", "company", "role", "capital_fen", "reg_status"),
    "deposit": ("institution", "balance_fen", "queried_on"),
    "securities": ("market_value_fen", "queried_on"),
    "housing_fund": ("balance_fen", "monthly_fen", "period"),
    "public_payroll": ("employer", "category"),
    "prison": ("admitted_on", "release_on"),
    "student": ("school", "stage", "status"),
    "disability": ("category", "grade"),
    "marriage": ("kind", "registered_on"),
    "medical": ("settled_on", "total_fen", "fund_fen", "self_fen"),
}
FINDING_COLUMNS = ("household_no", "id_number", "feed", "feed_as_of", "_row", "kind", "counted", "text", "evidence")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not (value == 0 or (math.isfinite(value) and 1e-4 <= abs(value) < 1e15)):
        # Python writes 1e-05 where Polars writes 0.00001: such values go through Polars.
        raise Unsupported
    return value


def to_json(evidence: dict[str, Any]) -> str:
    """struct.json_encode: compact, UTF-8 as is, dates as ISO strings."""
    plain = {k: [_plain(v) for v in x] if isinstance(x, list) else _plain(x) for k, x in evidence.items()}
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


def yuan(fen: int | None) -> str | None:
    """texts.yuan: 8500000 → '85,000.00'; None stays None."""
    if fen is None:
        return None
    return f"{'-' if fen < 0 else ''}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def cell(value: Any, empty: str = "") -> str:
    """texts.cell: the value as text, `empty` for null (dates ISO, integers as is)."""
    if value is None:
        return empty
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        raise Unsupported  # Polars' float text: only through round_areas
    return str(value)


def month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _suffix(a: Row, rows: str) -> str:
    match = "；按身份号码摘要匹配" if a["match"] == "digest" else ""
    if a["match"] == "confirmed":
        raise Unsupported
    return f"（数据时点 {cell(a['feed_as_of'])}，第 {rows} 行{match}）"


def row(r: Row, feed: str, kind: str, body: str, counted: bool) -> Row:
    """texts.row_findings for one source row."""
    evidence = {
        "feed": feed,
        "feed_name": FEED_LABELS[feed],
        "feed_as_of": r["feed_as_of"],
        "row": r["_row"],
        "id_raw": r["id_raw"],
        "name_in_feed": r["name"],
        "match": r["match"],
        "match_weight": r["match_weight"],
        **{v: r[v] for v in VALUES[feed]},
    }
    return {
        "household_no": r["household_no"],
        "id_number": r["pid"],
        "feed": feed,
        "feed_as_of": r["feed_as_of"],
        "_row": r["_row"],
        "kind": kind,
        "counted": counted,
        "text": FEED_LABELS[feed] + "：" + body + _suffix(r, str(r["_row"])),
        "evidence": to_json(evidence),
    }


def summary(a: Row, feed: str, kind: str, body: str, counted: bool) -> Row:
    """facts._summary_findings for one person's average."""
    evidence = {
        "feed": feed,
        "feed_name": FEED_LABELS[feed],
        "feed_as_of": a["feed_as_of"],
        "rows": a["rows"],
        "months": a["months_list"],
        "total_fen": a["total_fen"],
        "monthly_avg_fen": a["avg_fen"],
        "match": a["match"],
        "match_weight": a["match_weight"],
    }
    return {
        "household_no": a["household_no"],
        "id_number": a["pid"],
        "feed": feed,
        "feed_as_of": a["feed_as_of"],
        "_row": a["rows"][0],
        "kind": kind,
        "counted": counted,
        "text": FEED_LABELS[feed] + "：" + body + _suffix(a, "、".join(str(x) for x in a["rows"])),
        "evidence": to_json(evidence),
    }


def finding_columns(found: list[Row]) -> dict[str, list[Any]]:
    return {c: [f[c] for f in found] for c in FINDING_COLUMNS}


# --- bodies (facts.py) --------------------------------------------------------------------------


def _phrase(a: Row, what: str) -> str:
    return f"近 6 个月中 {a['months']} 个月有{what}，月均"


def _labels(a: Row) -> str:
    return "、".join(a["labels"])


def si_body(a: Row) -> str:
    return f"{_labels(a)}，{_phrase(a, '缴费')}缴费基数 {yuan(a['avg_fen'])} 元，计为工资性收入"


def pension_body(a: Row) -> str:
    return f"{_labels(a)}，{_phrase(a, '发放')} {yuan(a['avg_fen'])} 元"


def unemployment_body(a: Row) -> str:
    return f"{_phrase(a, '发放')} {yuan(a['avg_fen'])} 元"


def tax_body(a: Row, has_si: bool) -> str:
    if a["key"] == "other":
        how = "计为其他收入"
    elif has_si:
        how = "已按社保缴费基数计工资性收入，不重复计入"
    else:
        how = "计为工资性收入"
    return f"{_labels(a)}，{_phrase(a, '申报')}收入额 {yuan(a['avg_fen'])} 元，{how}"


def hukou_dead_body(r: Row) -> str:
    return f"户籍状态为死亡注销，注销日期 {cell(r['cancelled_on'], '未提供')}"


def death_body(r: Row) -> str:
    return f"已开具死亡医学证明，死亡日期 {cell(r['died_on'], '未提供')}"


def cremation_body(r: Row) -> str:
    return f"已火化，死亡日期 {cell(r['died_on'], '未提供')}，火化日期 {cell(r['cremated_on'], '未提供')}"


def vehicle_body(r: Row) -> str:
    value = "车辆价值未提供" if r["value_fen"] is None else f"车辆价值 {yuan(r['value_fen'])} 元"
    return f"名下{cell(r['vehicle_type'], '车辆')} {cell(r['plate'])}，{value}"


def estate_body(r: Row, area: str | None) -> str:
    area_text = "未提供" if area is None else area
    unit = cell(r["unit_no"])
    return f"名下{cell(r['use'])}房产 {cell(r['location'])}，建筑面积 {area_text} 平方米（不动产单元号 {unit}）"


def enterprise_body(r: Row, active: bool) -> str:
    return (
        f"{cell(r['company'])}（{cell(r['uscc'])}）{cell(r['role'])}，"
        f"认缴出资额 {yuan(r['capital_fen']) or '未提供'} 元，"
        f"登记状态{cell(r['reg_status'], '未提供')}{'' if active else '，不计入'}"
    )


def deposit_body(r: Row) -> str:
    return (
        f"{cell(r['institution'])}存款余额 {yuan(r['balance_fen']) or '未提供'} 元"
        f"（查询日期 {cell(r['queried_on'], '未提供')}）"
    )


def securities_body(r: Row) -> str:
    return f"证券资产市值 {yuan(r['market_value_fen']) or '未提供'} 元（查询日期 {cell(r['queried_on'], '未提供')}）"


def fund_body(r: Row) -> str:
    return (
        f"账户余额 {yuan(r['balance_fen']) or '未提供'} 元（{month(r['period'])}），"
        f"月缴存额 {yuan(r['monthly_fen']) or '未提供'} 元"
    )


def payroll_body(r: Row) -> str:
    return f"{cell(r['employer'])} {cell(r['category'])}"


def prison_body(r: Row, inside: bool) -> str:
    when = "核对日在服刑期内" if inside else "核对日不在服刑期内，不计入"
    return f"{cell(r['admitted_on'], '日期不详')} 入监，预计 {cell(r['release_on'], '日期不详')} 刑满，{when}"


def student_body(r: Row, enrolled: bool) -> str:
    tail = "" if enrolled else "，不计为在校"
    return f"{cell(r['school'])} {cell(r['stage'])}，{cell(r['status'], '状态未提供')}{tail}"


def disability_body(r: Row) -> str:
    return f"持残疾证，{cell(r['category'])}残疾 {cell(r['grade'])}"


def moved_body(r: Row) -> str:
    return f"户籍状态为{cell(r['status'])}，注销日期 {cell(r['cancelled_on'], '未提供')}"


def marriage_body(r: Row) -> str:
    return f"{cell(r['registered_on'], '日期不详')} 登记{cell(r['kind'])}"


def medical_body(r: Row) -> str:
    return (
        f"{cell(r['settled_on'])} 结算，医疗总费用 {yuan(r['total_fen']) or '未提供'} 元，"
        f"统筹支付 {yuan(r['fund_fen']) or '未提供'} 元，个人自付 {yuan(r['self_fen']) or '未提供'} 元"
    )


# --- areas: the only floats -------------------------------------------------------------------


def add_area(facts: Row, area: float | None) -> None:
    """A person's area as Polars' group sum gives it: exact while at most two terms are not zero."""
    facts["real_estate_area_m2"] = facts.get("real_estate_area_m2") or 0.0
    if area is not None:
        facts["real_estate_area_m2"] += area
        facts["_area_terms"] = facts.get("_area_terms", 0) + (area != 0)
        if facts["_area_terms"] > 2:
            raise Unsupported  # three addends: the order Polars adds them in could change the last bit


def round_areas(persons: list[Row], households: list[Row], findings: list[Row], estates: list[Row]) -> None:
    """Areas rounded (and written) by Polars itself; households' sums of the persons' rounded areas."""
    if not estates:
        for x in (*persons, *households):
            x["real_estate_area_m2"] = 0.0
        return
    texts = pl.Series([r["area_m2"] for r in estates], dtype=pl.Float64).round(2).cast(pl.String).to_list()
    for f, r, area in zip(findings, estates, texts, strict=True):
        f["text"] = FEED_LABELS["real_estate"] + "：" + estate_body(r, area) + _suffix(r, str(r["_row"]))
    rounded = pl.Series([p["real_estate_area_m2"] for p in persons], dtype=pl.Float64).round(2).to_list()
    for p, area in zip(persons, rounded, strict=True):
        p["real_estate_area_m2"] = area
    sums = []
    for h in households:
        terms = [p["real_estate_area_m2"] for p in persons if p["household_no"] == h["household_no"]]
        if sum(t != 0 for t in terms) > 2:
            raise Unsupported
        sums.append(sum(terms, 0.0))
    for h, area in zip(households, pl.Series(sums, dtype=pl.Float64).round(2).to_list(), strict=True):
        h["real_estate_area_m2"] = area
