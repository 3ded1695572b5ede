"""Vectorised normalisation of feed cells: Polars expressions, no per-row Python.

Every function takes an expression over a string column (the cell as delivered, null when empty)
and returns `(value, error)` expressions: the normalised value (null when empty or invalid) and a
Chinese reason naming the column (null when the cell is fine or empty). `ingest` turns the errors
into rejects. The identity-number rules are those of `core.idnumber` (GB 11643-1999: MOD 11-2
check digit, a real and non-future birth date, 15 → 18 digits), written as column arithmetic.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from minzheng.verification.engine.catalogue import Column, Kind

_FULL = [chr(0xFF10 + i) for i in range(10)] + ["Ｘ", "ｘ", "．", "，", "－", "／", "：", "　"]
_HALF = [str(i) for i in range(10)] + ["X", "x", ".", ",", "-", "/", ":", " "]
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999
_CHECK = "10X98765432"
# Spaces of every kind and the quote marks spreadsheets put in front of numbers typed as text.
_ID_JUNK = r"[\s'\"`‘’“”]+"
Pair = tuple[pl.Expr, pl.Expr]


def half_width(e: pl.Expr) -> pl.Expr:
    """Full-width digits, letters and punctuation → ASCII (NFKC), then trimmed; '' → null."""
    out = e.str.normalize("NFKC").str.strip_chars()
    return pl.when(out == "").then(None).otherwise(out)


def _digits(e: pl.Expr) -> pl.Expr:
    """The cheap part of NFKC for numeric cells: full-width digits and marks only, spaces removed."""
    return e.str.replace_many(_FULL, _HALF).str.replace_all(r"\s+", "")


def _quoted(e: pl.Expr) -> pl.Expr:
    return pl.lit("“") + e + pl.lit("”")


def _reason(col: Column, text: pl.Expr | str) -> pl.Expr:
    body = pl.lit(text) if isinstance(text, str) else text
    return pl.lit(f"{col.title}：") + body


# --- text --------------------------------------------------------------------------------------
def text(raw: pl.Expr, col: Column) -> Pair:
    value = half_width(raw)
    if col.name == "name":
        # "张 三" typed with a stray space is 张三; Latin names keep their single spaces.
        value = value.str.replace_all(r"\s+", " ")
        for _ in range(2):  # matches cannot overlap: twice covers "张 三 丰"
            value = value.str.replace_all(r"(\p{Han})\s+(\p{Han})", "$1$2")
    error = pl.lit(None, pl.String)
    if col.kind == Kind.ENUM:
        bad = value.is_not_null() & ~value.is_in(list(col.allowed))
        error = pl.when(bad).then(_reason(col, _quoted(value) + pl.lit(f"应为 {'、'.join(col.allowed)} 之一")))
    return value, error


# --- identity numbers --------------------------------------------------------------------------
def id_clean(raw: pl.Expr) -> pl.Expr:
    out = raw.str.replace_many(_FULL, _HALF).str.replace_all(_ID_JUNK, "").str.to_uppercase()
    return pl.when(out == "").then(None).otherwise(out)


def id_number(raw: pl.Expr, col: Column, today: dt.date) -> Pair:
    """(normalised 18-digit number or null, reason or null). 15-digit numbers gain '19' and a check digit."""
    c = id_clean(raw)
    length = c.str.len_chars()
    is15 = c.str.contains(r"^[0-9]{15}$")
    is18 = c.str.contains(r"^[0-9]{17}[0-9X]$")
    first17 = pl.when(is15).then(c.str.slice(0, 6) + pl.lit("19") + c.str.slice(6, 9)).otherwise(c.str.slice(0, 17))
    # 17 digits fit in an int64 (< 9.2e18): the check digit is integer arithmetic over the columns.
    n = pl.when(is15 | is18).then(first17).cast(pl.Int64, strict=False)
    total = pl.sum_horizontal([(n // 10 ** (16 - i)) % 10 * w for i, w in enumerate(_WEIGHTS)])
    check = (total % 11).replace_strict(list(range(11)), list(_CHECK), return_dtype=pl.String)
    born_text = first17.str.slice(6, 8)
    born = born_text.str.to_date("%Y%m%d", strict=False)
    number = pl.when(is15).then(first17 + check).otherwise(c)
    problem = (
        pl.when(c.is_null())
        .then(None)
        .when(~is15 & (length == 15))
        .then(pl.lit("15 位号码只能由数字组成"))
        .when(~is15 & (length != 18))
        .then(pl.lit("应为 18 位，实际 ") + length.cast(pl.String) + pl.lit(" 位"))
        .when(~is15 & ~is18)
        .then(pl.lit("含有非法字符"))
        .when(born.is_null())
        .then(pl.lit("出生日期 ") + born_text + pl.lit(" 不存在"))
        .when(born > pl.lit(today))
        .then(pl.lit("出生日期 ") + born.dt.to_string("%Y-%m-%d") + pl.lit(" 晚于今天"))
        .when(born.dt.year() < 1880)
        .then(pl.lit("出生日期 ") + born.dt.to_string("%Y-%m-%d") + pl.lit(" 不合理"))
        .when(is18 & (c.str.slice(17, 1) != check))
        .then(pl.lit("校验位错误（应为 ") + check + pl.lit("）"))
    )
    error = pl.when(problem.is_not_null()).then(_reason(col, problem))
    return pl.when(problem.is_null()).then(number), error


def id_digest(raw: pl.Expr, header: str) -> Pair:
    """身份号码摘要: 64 lower-case hex characters (HMAC-SM3), upper case accepted and lowered."""
    c = raw.str.replace_all(r"\s+", "").str.to_lowercase()
    c = pl.when(c == "").then(None).otherwise(c)
    ok = c.str.contains(r"^[0-9a-f]{64}$")
    error = pl.when(c.is_not_null() & ~ok).then(pl.lit(f"{header}：应为 64 位十六进制（HMAC-SM3 摘要）"))
    return pl.when(ok).then(c), error


# --- money and area ----------------------------------------------------------------------------
def _money(raw: pl.Expr, col: Column, decimals: int, int_digits: int, unit: str) -> Pair:
    c = _digits(raw).str.replace_all(r"[,¥￥]|元$|万元$", "")
    c = pl.when(c == "").then(None).otherwise(c)
    pattern = rf"^(-?)([0-9]{{1,{int_digits}}})(?:\.([0-9]{{0,{decimals}}}))?$"
    parts = c.str.extract_groups(pattern)
    whole = parts.struct.field("2").cast(pl.Int64, strict=False)
    frac = parts.struct.field("3").fill_null("").str.pad_end(decimals, "0").cast(pl.Int64, strict=False)
    # The last allowed decimal is one fen in both units (0.01 元; 0.000001 万元), so fen = digits joined.
    amount = whole * 10**decimals + frac
    value = pl.when(parts.struct.field("1") == "-").then(-amount).otherwise(amount)
    bad = c.is_not_null() & whole.is_null()
    message = f"不是有效金额（{unit}，最多 {decimals} 位小数）"
    return pl.when(~bad).then(value), pl.when(bad).then(_reason(col, _quoted(raw) + pl.lit(message)))


def yuan(raw: pl.Expr, col: Column) -> Pair:
    """元 with up to 2 decimals → fen: '1234.5' → 123450, exactly (integer parts, never float)."""
    return _money(raw, col, decimals=2, int_digits=15, unit="元")


def wanyuan(raw: pl.Expr, col: Column) -> Pair:
    """万元 with up to 6 decimals → fen: '12.5' → 12,500,000 (1 万元 = 1,000,000 分)."""
    return _money(raw, col, decimals=6, int_digits=10, unit="万元")


def area(raw: pl.Expr, col: Column) -> Pair:
    c = _digits(raw).str.replace_all(r"[,]|平方米$|㎡$|m²$|m2$", "")
    c = pl.when(c == "").then(None).otherwise(c)
    ok = c.str.contains(r"^[0-9]{1,9}(\.[0-9]+)?$")
    bad = c.is_not_null() & ~ok
    error = pl.when(bad).then(_reason(col, _quoted(raw) + pl.lit("不是有效面积（平方米）")))
    return pl.when(ok).then(c).cast(pl.Float64, strict=False), error


# --- dates and months --------------------------------------------------------------------------
_YMD = r"^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$"
_YMD8 = r"^([0-9]{4})([0-9]{2})([0-9]{2})$"
_YM = r"^([0-9]{4})[-/.年]([0-9]{1,2})月?$"
_YM6 = r"^([0-9]{4})([0-9]{2})$"
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year quirk folded in)


def _date_text(raw: pl.Expr) -> pl.Expr:
    c = _digits(raw.str.replace_all(r"[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$", ""))
    return pl.when(c == "").then(None).otherwise(c)


def _ymd(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    text = pl.concat_str([y, m.str.zfill(2), d.str.zfill(2)], separator="-")
    return text.str.to_date("%Y-%m-%d", strict=False)


def _groups(c: pl.Expr, pattern: str, i: int) -> pl.Expr:
    return c.str.extract(pattern, i)


def _parse_day(c: pl.Expr) -> pl.Expr:
    long = _ymd(_groups(c, _YMD, 1), _groups(c, _YMD, 2), _groups(c, _YMD, 3))
    short = _ymd(_groups(c, _YMD8, 1), _groups(c, _YMD8, 2), _groups(c, _YMD8, 3))
    # A date cell of an XLSX typed as a number arrives as its serial (e.g. 45296 = 2024-01-05).
    serial = pl.when(c.str.contains(r"^[1-9][0-9]{4}$")).then(c).cast(pl.Int64, strict=False)
    excel = pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial)
    return pl.coalesce(long, short, excel.cast(pl.Date))


def date(raw: pl.Expr, col: Column) -> Pair:
    """2024-01-05, 2024/1/5, 2024.1.5, 20240105, 2024年1月5日 (a trailing time is ignored)."""
    c = _date_text(raw)
    value = _parse_day(c)
    bad = c.is_not_null() & value.is_null()
    return value, pl.when(bad).then(_reason(col, _quoted(raw) + pl.lit("不是有效日期（如 2024-01-05）")))


def month(raw: pl.Expr, col: Column) -> Pair:
    """2024-01, 2024/1, 202401, 2024年1月 (or a whole date) → the first day of that month."""
    c = _date_text(raw)
    ym = _ymd(_groups(c, _YM, 1), _groups(c, _YM, 2), pl.lit("1"))
    ym6 = _ymd(_groups(c, _YM6, 1), _groups(c, _YM6, 2), pl.lit("1"))
    value = pl.coalesce(ym, ym6, _parse_day(c).dt.month_start())
    bad = c.is_not_null() & value.is_null()
    return value, pl.when(bad).then(_reason(col, _quoted(raw) + pl.lit("不是有效年月（如 2024-01 或 202401）")))


def cell(raw: pl.Expr, col: Column) -> Pair:
    """Dispatch on the column's kind (ID columns go through `id_number`/`id_digest`)."""
    kinds = {Kind.DATE: date, Kind.MONTH: month, Kind.YUAN: yuan, Kind.WANYUAN: wanyuan, Kind.AREA: area}
    fn = kinds.get(col.kind)
    return fn(raw, col) if fn else text(raw, col)
