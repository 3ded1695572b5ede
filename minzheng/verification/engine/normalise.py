"""Vectorised normalisation of feed cells: Polars expressions, no per-row Python.

Each normaliser takes the expression of a raw cell (text as delivered, null when empty) and a
scratch prefix, and returns *stages*: lists of named expressions that `apply_stages` adds to the
frame one `with_columns` at a time. Intermediate results (the cleaned cell, the 17 digits, the
check digit, ...) are computed once as columns and then referred to by name; nesting them as
expressions instead makes Polars recompute them at every use, which cost 40× on identity numbers.
The last stage of every normaliser defines `<out>` (the normalised value, null when empty or
invalid) and `<out>__bad` (a cheap boolean: the cell holds something invalid). The Chinese reason
naming the column is a separate expression, `Norm.message`, which `ingest` evaluates only on the
few rows that have a bad cell: building strings for every row would cost more than all the rest.

The identity-number rules are those of `core.idnumber` (GB 11643-1999: MOD 11-2 check digit, a
real and non-future birth date, 15 → 18 digits), written as column arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from minzheng.verification.engine.catalogue import Column, Kind

Stage = dict[str, pl.Expr]
BAD = "__bad"


@dataclass(frozen=True)
class Norm:
    stages: list[Stage]
    message: pl.Expr  # the reason for a bad cell; evaluate only where `<out>__bad` is true


_FULL = [chr(0xFF10 + i) for i in range(10)] + ["Ｘ", "ｘ", "．", "，", "－", "／", "：", "　"]
_HALF = [str(i) for i in range(10)] + ["X", "x", ".", ",", "-", "/", ":", " "]
_FULL_FORMS = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000"]
_HALF_FORMS = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)] + [" "]
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999
_CHECK = "10X98765432"
# Spaces of every kind and the quote marks spreadsheets put in front of numbers typed as text.
_ID_JUNK = r"[\s'\"`‘’“”]+"


def apply_stages(frame: pl.LazyFrame, normalisers: list[list[Stage]]) -> pl.LazyFrame:
    """Run stage i of every normaliser together (one with_columns per stage depth)."""
    depth = max((len(n) for n in normalisers), default=0)
    for i in range(depth):
        exprs = [e.alias(name) for n in normalisers if i < len(n) for name, e in n[i].items()]
        if exprs:
            frame = frame.with_columns(exprs)
    return frame


def _null_if_empty(e: pl.Expr) -> pl.Expr:
    return pl.when(e == "").then(None).otherwise(e)


def _quoted(e: pl.Expr) -> pl.Expr:
    return pl.lit("“") + e + pl.lit("”")


def _reason(col: Column, body: pl.Expr | str) -> pl.Expr:
    return pl.lit(f"{col.title}：") + (pl.lit(body) if isinstance(body, str) else body)


def _digits(e: pl.Expr) -> pl.Expr:
    """The cheap part of NFKC for numeric cells: full-width digits and marks → ASCII, spaces removed."""
    return e.str.replace_many(_FULL, _HALF).str.replace_all(r"\s+", "")


# --- text --------------------------------------------------------------------------------------
def text(raw: pl.Expr, col: Column, out: str) -> Norm:
    """Stripped, full-width forms → ASCII; ENUM values checked against `allowed`."""
    # The full-width block FF01–FF5E and the ideographic space, not full NFKC: a third of the cost.
    value = _null_if_empty(raw.str.replace_many(_FULL_FORMS, _HALF_FORMS).str.strip_chars())
    if col.name == "name":
        # "张 三" typed with a stray space is 张三; names in Latin letters keep their spaces.
        value = pl.when(value.str.contains(r"\p{Han}")).then(value.str.replace_all(r"\s+", "")).otherwise(value)
    if col.kind != Kind.ENUM:
        return Norm([{out: value, out + BAD: pl.lit(False)}], pl.lit(None, pl.String))
    v = pl.col(out)
    message = _reason(col, _quoted(v) + pl.lit(f"应为 {'、'.join(col.allowed)} 之一"))
    return Norm([{out: value}, {out + BAD: v.is_not_null() & ~v.is_in(list(col.allowed))}], message)


# --- identity numbers --------------------------------------------------------------------------
def id_number(raw: pl.Expr, col: Column, out: str, today: dt.date) -> Norm:
    """Normalised 18-digit number or null; `message` says why a present number is invalid."""
    k = out + "__"
    c, f17, n = pl.col(k + "c"), pl.col(k + "f17"), pl.col(k + "n")
    is15, is18 = pl.col(k + "15"), pl.col(k + "18")
    born, check, valid = pl.col(k + "born"), pl.col(k + "chk"), pl.col(k + "ok")
    clean = _null_if_empty(raw.str.replace_many(_FULL, _HALF).str.replace_all(_ID_JUNK, "").str.to_uppercase())
    shape = {k + "15": c.str.contains(r"^[0-9]{15}$"), k + "18": c.str.contains(r"^[0-9]{17}[0-9X]$")}
    # Old 15-digit numbers carry a 2-digit year, all 19xx (issued 1984–1999).
    # One regex pass that touches only those (a when/then would build the concatenation for every row).
    first17 = {k + "f17": c.str.replace(r"^([0-9]{6})([0-9]{9})$", "${1}19${2}")}
    # 17 digits fit in an int64 (< 9.2e18): the MOD 11-2 sum is integer arithmetic on one column.
    digits = {k + "n": pl.when(is15 | is18).then(f17.str.slice(0, 17)).cast(pl.Int64, strict=False)}
    total = pl.sum_horizontal([(n // 10 ** (16 - i)) % 10 * w for i, w in enumerate(_WEIGHTS)])
    derived = {k + "t": total % 11, k + "born": f17.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)}
    checked = {
        k + "chk": pl.col(k + "t").replace_strict(list(range(11)), list(_CHECK), return_dtype=pl.String),
    }
    sane = born.is_not_null() & (born <= pl.lit(today)) & (born.dt.year() >= 1880)
    verdict = {k + "ok": (is15 | (is18 & (c.str.slice(17, 1) == check))) & sane}
    result = {
        # Sorting by this int64 orders like the 18-character string (check value X = 10 sorts last).
        k + "key": pl.when(valid).then(n * 11 + (12 - pl.col(k + "t")) % 11),
        out: pl.when(valid).then(pl.when(is15).then(f17 + check).otherwise(c)),
        out + BAD: c.is_not_null() & ~valid,
    }
    length = c.str.len_chars()
    born_text = born.dt.to_string("%Y-%m-%d")
    problem = (
        pl.when(~is15 & (length == 15))
        .then(pl.lit("15 位号码只能由数字组成"))
        .when(~is15 & (length != 18))
        .then(pl.lit("应为 18 位，实际 ") + length.cast(pl.String) + pl.lit(" 位"))
        .when(~is15 & ~is18)
        .then(pl.lit("含有非法字符"))
        .when(born.is_null())
        .then(pl.lit("出生日期 ") + f17.str.slice(6, 8) + pl.lit(" 不存在"))
        .when(born > pl.lit(today))
        .then(pl.lit("出生日期 ") + born_text + pl.lit(" 晚于今天"))
        .when(born.dt.year() < 1880)
        .then(pl.lit("出生日期 ") + born_text + pl.lit(" 不合理"))
        .otherwise(pl.lit("校验位错误（应为 ") + check + pl.lit("）"))
    )
    return Norm([{k + "c": clean}, shape, first17, digits, derived, checked, verdict, result], _reason(col, problem))


def id_digest(raw: pl.Expr, header: str, out: str) -> Norm:
    """身份号码摘要: 64 lower-case hex characters (HMAC-SM3); upper case is accepted and lowered."""
    k = out + "__c"
    c = pl.col(k)
    ok = c.str.contains(r"^[0-9a-f]{64}$")
    clean = _null_if_empty(raw.str.replace_all(r"\s+", "").str.to_lowercase())
    message = pl.lit(f"{header}：应为 64 位十六进制（HMAC-SM3 摘要）")
    return Norm([{k: clean}, {out: pl.when(ok).then(c), out + BAD: c.is_not_null() & ~ok}], message)


# --- money and area ----------------------------------------------------------------------------
def _money(raw: pl.Expr, col: Column, out: str, decimals: int, int_digits: int, unit: str) -> Norm:
    k = out + "__"
    c, ok = pl.col(k + "c"), pl.col(k + "ok")
    # Thousands separators, currency signs and the column's own unit may be typed into the cell.
    clean = _null_if_empty(_digits(raw).str.replace_all(rf"[,¥￥]|{unit}$", ""))
    # Decimal parsing is exact (an integer with a scale, never a float); the pattern first refuses
    # what to_decimal would round: more decimals than the unit allows. The last allowed decimal is
    # one fen in both units (0.01 元, 0.000001 万元), so fen = the decimal × 10^decimals.
    parsed = {
        k + "ok": c.str.contains(rf"^-?[0-9]{{1,{int_digits}}}(\.[0-9]{{0,{decimals}}})?$"),
        k + "dec": c.str.to_decimal(scale=decimals),
    }
    result = {
        out: pl.when(ok).then((pl.col(k + "dec") * 10**decimals).cast(pl.Int64)),
        out + BAD: c.is_not_null() & ~ok,
    }
    message = _reason(col, _quoted(raw) + pl.lit(f"不是有效金额（{unit}，最多 {decimals} 位小数）"))
    return Norm([{k + "c": clean}, parsed, result], message)


def yuan(raw: pl.Expr, col: Column, out: str) -> Norm:
    """元 with up to 2 decimals → fen: '1234.5' → 123450, exactly (integer parts, never float)."""
    return _money(raw, col, out, decimals=2, int_digits=15, unit="元")


def wanyuan(raw: pl.Expr, col: Column, out: str) -> Norm:
    """万元 with up to 6 decimals → fen: '12.5' → 12,500,000 (1 万元 = 1,000,000 分)."""
    return _money(raw, col, out, decimals=6, int_digits=10, unit="万元")


def area(raw: pl.Expr, col: Column, out: str) -> Norm:
    k = out + "__c"
    c = pl.col(k)
    clean = _null_if_empty(_digits(raw).str.replace_all(r",|平方米$|㎡$|m²$|m2$", ""))
    ok = c.str.contains(r"^[0-9]{1,9}(\.[0-9]+)?$")
    result = {out: pl.when(ok).then(c).cast(pl.Float64, strict=False), out + BAD: c.is_not_null() & ~ok}
    return Norm([{k: clean}, result], _reason(col, _quoted(raw) + pl.lit("不是有效面积（平方米）")))


# --- dates and months --------------------------------------------------------------------------
# Separators and Chinese date words become "-" in one regex pass (a trailing time of day dropped);
# to_date then accepts 1- or 2-digit months and days and refuses impossible dates.
_TIME = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_DAY = rf"^([0-9]{{4}})[-/.年]([0-9]{{1,2}})[-/.月]([0-9]{{1,2}})日?{_TIME}$"
_MONTH = rf"^([0-9]{{4}})[-/.年]([0-9]{{1,2}})(?:月|[-/.月][0-9]{{1,2}}日?{_TIME})?$"
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year quirk folded in)


def _date_clean(raw: pl.Expr) -> pl.Expr:
    return _null_if_empty(raw.str.replace_many(_FULL, _HALF).str.strip_chars())


def date(raw: pl.Expr, col: Column, out: str) -> Norm:
    """2024-01-05, 2024/1/5, 2024.1.5, 20240105, 2024年1月5日 (a trailing time of day is ignored)."""
    k = out + "__"
    c = pl.col(k + "c")
    # A date cell of an XLSX formatted as a number arrives as its serial (45296 = 2024-01-05).
    serial = c.cast(pl.Int64, strict=False)
    serial = pl.when((serial >= 10_000) & (serial < 100_000)).then(serial)
    value = pl.coalesce(
        c.str.replace(_DAY, "$1-$2-$3").str.to_date("%Y-%m-%d", strict=False),
        c.str.to_date("%Y%m%d", strict=False),
        (pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial)).cast(pl.Date),
    )
    result = {out: pl.col(k + "d"), out + BAD: c.is_not_null() & pl.col(k + "d").is_null()}
    message = _reason(col, _quoted(raw) + pl.lit("不是有效日期（如 2024-01-05）"))
    return Norm([{k + "c": _date_clean(raw)}, {k + "d": value}, result], message)


def month(raw: pl.Expr, col: Column, out: str) -> Norm:
    """2024-01, 2024/1, 202401, 2024年1月 (or a whole date) → the first day of that month."""
    k = out + "__"
    c = pl.col(k + "c")
    value = pl.coalesce(
        c.str.replace(_MONTH, "$1-$2-1").str.to_date("%Y-%m-%d", strict=False),
        c.str.to_date("%Y%m", strict=False),
        c.str.to_date("%Y%m%d", strict=False).dt.month_start(),
    )
    result = {out: pl.col(k + "m"), out + BAD: c.is_not_null() & pl.col(k + "m").is_null()}
    message = _reason(col, _quoted(raw) + pl.lit("不是有效年月（如 2024-01 或 202401）"))
    return Norm([{k + "c": _date_clean(raw)}, {k + "m": value}, result], message)


def cell(raw: pl.Expr, col: Column, out: str) -> Norm:
    """Dispatch on the column's kind (identity columns go through `id_number` / `id_digest`)."""
    kinds = {Kind.DATE: date, Kind.MONTH: month, Kind.YUAN: yuan, Kind.WANYUAN: wanyuan, Kind.AREA: area}
    fn = kinds.get(col.kind)
    return fn(raw, col, out) if fn else text(raw, col, out)


# --- the fast path ------------------------------------------------------------------------------
# Most cells arrive already canonical (18 plain digits, 7373.00, 202606, text without full-width
# forms). `fast` reads exactly those, cheaply, and flags every other cell `<out>__slow`; ingest
# then runs the full normalisers above on the flagged rows only. On canonical cells both paths
# give the same value, so the split changes the cost, never the result.
SLOW = "__slow"
_FULL_RE = "[\uff01-\uff5e\u3000]"


def fast(raw: pl.Expr, col: Column, out: str, today: dt.date) -> list[Stage]:
    if col.kind == Kind.ID:
        return _fast_id(raw, out, today)
    k = out + "__f"
    value, ok = pl.col(k + "v"), pl.col(k + "ok")
    # Staged like the full path: each intermediate is a column computed once, not an expression
    # Polars would evaluate again at every use.
    slow = (raw.is_not_null() & ~ok) | (raw.is_null() & pl.lit(col.nonempty))  # an empty required cell is slow
    return [
        {k + "v": _fast_value(raw, col)},
        {k + "ok": _fast_ok(raw, value, col).fill_null(False)},
        {out: pl.when(ok).then(value), out + SLOW: slow},
    ]


def _fast_value(raw: pl.Expr, col: Column) -> pl.Expr:
    if col.kind in (Kind.YUAN, Kind.WANYUAN):
        d = 2 if col.kind == Kind.YUAN else 6
        return (raw.str.to_decimal(scale=d) * 10**d).cast(pl.Int64)
    if col.kind == Kind.DATE:
        return raw.str.to_date("%Y-%m-%d", strict=False)
    if col.kind == Kind.MONTH:
        return pl.coalesce(raw.str.to_date("%Y%m", strict=False), raw.str.to_date("%Y-%m", strict=False))
    if col.kind == Kind.AREA:
        return raw.cast(pl.Float64, strict=False)
    return _null_if_empty(raw.str.strip_chars())


def _fast_ok(raw: pl.Expr, value: pl.Expr, col: Column) -> pl.Expr:
    if col.kind in (Kind.YUAN, Kind.WANYUAN):
        d, digits = (2, 15) if col.kind == Kind.YUAN else (6, 10)
        return raw.str.contains(rf"^-?[0-9]{{1,{digits}}}(\.[0-9]{{0,{d}}})?$")
    if col.kind in (Kind.DATE, Kind.MONTH):
        return value.is_not_null()
    if col.kind == Kind.AREA:
        return raw.str.contains(r"^[0-9]{1,9}(\.[0-9]+)?$")
    ok = value.is_not_null() & ~value.str.contains(_FULL_RE + r"|\s" if col.name == "name" else _FULL_RE)
    return ok & value.is_in(list(col.allowed)) if col.kind == Kind.ENUM else ok


def _fast_id(raw: pl.Expr, out: str, today: dt.date) -> list[Stage]:
    """A plain 18-character number with a right check digit and a sane birth date; anything else is slow."""
    k = out + "__f"
    plain, n, born, t = pl.col(k + "18"), pl.col(k + "n"), pl.col(k + "born"), pl.col(k + "t")
    ok = pl.col(k + "ok")
    total = pl.sum_horizontal([(n // 10 ** (16 - i)) % 10 * w for i, w in enumerate(_WEIGHTS)])
    sane = born.is_not_null() & (born <= pl.lit(today)) & (born.dt.year() >= 1880)
    check = t.replace_strict(list(range(11)), list(_CHECK), return_dtype=pl.String)
    return [
        {k + "18": raw.str.contains(r"^[0-9]{17}[0-9X]$")},
        {
            k + "n": pl.when(plain).then(raw.str.slice(0, 17)).cast(pl.Int64, strict=False),
            k + "born": pl.when(plain).then(raw.str.slice(6, 8)).str.to_date("%Y%m%d", strict=False),
        },
        {k + "t": total % 11},
        {k + "ok": plain & (raw.str.slice(17, 1) == check) & sane},
        {
            out: pl.when(ok).then(raw),
            out + "__key": pl.when(ok).then(n * 11 + (12 - t) % 11),
            out + SLOW: raw.is_not_null() & ~ok,
        },
    ]


def fast_digest(raw: pl.Expr, out: str) -> list[Stage]:
    ok = raw.str.contains(r"^[0-9a-f]{64}$")
    return [{out: pl.when(ok).then(raw), out + SLOW: raw.is_not_null() & ~ok}]
