"""Feed vocabulary and the vectorised text pieces every finding is built from (see evaluate.py)."""

from __future__ import annotations

import polars as pl

FLAGS = (
    "deceased",
    "vehicle",
    "real_estate",
    "enterprise",
    "public_payroll",
    "prison",
    "student",
    "disability",
    "pension",
    "unemployment",
    "wage",
)
FLAG_LABELS = {
    "deceased": "已死亡",
    "vehicle": "有车辆",
    "real_estate": "有房产",
    "enterprise": "有企业",
    "public_payroll": "财政供养",
    "prison": "服刑",
    "student": "在校生",
    "disability": "残疾",
    "pension": "领养老金",
    "unemployment": "领失业金",
    "wage": "有工资收入",
}
FEED_LABELS = {
    "hukou": "公安户籍",
    "vehicle": "公安车辆",
    "cremation": "民政殡葬",
    "death": "卫健死亡医学证明",
    "marriage": "民政婚姻登记",
    "social_insurance": "人社社保缴费",
    "pension": "人社养老金发放",
    "unemployment": "人社失业金",
    "real_estate": "不动产登记",
    "enterprise": "市场监管企业登记",
    "tax": "税务",
    "housing_fund": "住房公积金",
    "public_payroll": "财政供养人员",
    "deposit": "银行存款",
    "securities": "证券",
    "medical": "医保结算",
    "disability": "残联残疾证",
    "student": "教育在校生",
    "prison": "司法服刑人员",
}
FEED_ORDER = {feed: i for i, feed in enumerate(FEED_LABELS)}
MONTHLY_FEEDS = frozenset({"social_insurance", "pension", "unemployment", "tax", "housing_fund"})
ACTIVE_ENTERPRISE = ("存续", "在业")  # 吊销/注销 companies carry no assets the household can draw on
WAGE_TAX_ITEMS = ("工资薪金所得",)  # 个人所得税法 第二条 (一)
WINDOW_MONTHS = 6
MEDICAL_WINDOW_DAYS = 365

BASE_COLUMNS = {
    "_row": pl.Int64,
    "id_number": pl.String,
    "id_raw": pl.String,
    "id_digest": pl.String,
    "name": pl.String,
    "feed_as_of": pl.Date,
}
# The columns this module reads from each feed (DATA_CONTRACTS §2 as normalised by the ingestion).
FEED_COLUMNS: dict[str, dict[str, pl.DataType | type[pl.DataType]]] = {
    "hukou": {"household_ref": pl.String, "relation": pl.String, "status": pl.String, "cancelled_on": pl.Date},
    "vehicle": {"plate": pl.String, "vehicle_type": pl.String, "registered_on": pl.Date, "value_fen": pl.Int64},
    "cremation": {"died_on": pl.Date, "cremated_on": pl.Date},
    "death": {"died_on": pl.Date},
    "marriage": {"spouse_id_number": pl.String, "kind": pl.String, "registered_on": pl.Date},
    "social_insurance": {"employer": pl.String, "base_fen": pl.Int64, "period": pl.Date},
    "pension": {"scheme": pl.String, "amount_fen": pl.Int64, "period": pl.Date},
    "unemployment": {"amount_fen": pl.Int64, "period": pl.Date},
    "real_estate": {
        "unit_no": pl.String,
        "location": pl.String,
        "area_m2": pl.Float64,
        "use": pl.String,
        "registered_on": pl.Date,
    },
    "enterprise": {
        "uscc": pl.String,
        "company": pl.String,
        "role": pl.String,
        "capital_fen": pl.Int64,
        "reg_status": pl.String,
    },
    "tax": {"item": pl.String, "income_fen": pl.Int64, "period": pl.Date},
    "housing_fund": {"monthly_fen": pl.Int64, "period": pl.Date, "balance_fen": pl.Int64},
    "public_payroll": {"employer": pl.String, "category": pl.String},
    "deposit": {"institution": pl.String, "balance_fen": pl.Int64, "queried_on": pl.Date},
    "securities": {"market_value_fen": pl.Int64, "queried_on": pl.Date},
    "medical": {"settled_on": pl.Date, "total_fen": pl.Int64, "fund_fen": pl.Int64, "self_fen": pl.Int64},
    "disability": {"category": pl.String, "grade": pl.String},
    "student": {"school": pl.String, "stage": pl.String, "status": pl.String},
    "prison": {"admitted_on": pl.Date, "release_on": pl.Date},
}
FINDINGS_SCHEMA = pl.Schema(
    {
        "household_no": pl.String,
        "id_number": pl.String,
        "feed": pl.String,
        "feed_as_of": pl.Date,
        "_row": pl.Int64,
        "kind": pl.String,
        "counted": pl.Boolean,
        "text": pl.String,
        "evidence": pl.String,
    }
)


# --- text helpers -------------------------------------------------------------------------------


def yuan(expr: pl.Expr) -> pl.Expr:
    """Integer fen → '85,000.00' (thousands separators, two decimals), vectorised; null stays null."""
    fen = expr.cast(pl.Int64)
    whole = (fen.abs() // 100).cast(pl.String).str.reverse()
    grouped = whole.str.replace_all(r"(\d{3})", "${1},").str.strip_chars_end(",").str.reverse()
    cents = (fen.abs() % 100).cast(pl.String).str.zfill(2)
    sign = pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str([sign, grouped, pl.lit("."), cents])


def cell(expr: pl.Expr | str, empty: str = "") -> pl.Expr:
    e = pl.col(expr) if isinstance(expr, str) else expr
    return e.cast(pl.String).fill_null(empty)


def suffix(rows: pl.Expr) -> pl.Expr:
    """（数据时点 2026-12-01，第 37 行[；按身份号码摘要匹配 | ；经人工确认匹配（权重 12.3）]）"""
    match = (
        pl.when(pl.col("match") == "digest")
        .then(pl.lit("；按身份号码摘要匹配"))
        .when(pl.col("match") == "confirmed")
        .then(
            pl.concat_str([pl.lit("；经人工确认匹配（权重 "), cell(pl.col("match_weight").round(1), "—"), pl.lit("）")])
        )
        .otherwise(pl.lit(""))
    )
    return pl.concat_str(
        [pl.lit("（数据时点 "), cell("feed_as_of"), pl.lit("，第 "), rows, pl.lit(" 行"), match, pl.lit("）")]
    )


def row_findings(
    f: pl.LazyFrame, feed: str, kind: str, body: pl.Expr, counted: pl.Expr, values: list[str]
) -> pl.LazyFrame:
    """One finding per source row: '<部门>：<body>（数据时点 …，第 n 行）' with the row's values as evidence."""
    text = pl.concat_str([pl.lit(FEED_LABELS[feed] + "："), body, suffix(cell("_row"))])
    evidence = pl.struct(
        pl.lit(feed).alias("feed"),
        pl.lit(FEED_LABELS[feed]).alias("feed_name"),
        pl.col("feed_as_of"),
        pl.col("_row").alias("row"),
        pl.col("id_raw"),
        pl.col("name").alias("name_in_feed"),
        pl.col("match"),
        pl.col("match_weight"),
        *[pl.col(v) for v in values],
    ).struct.json_encode()
    return f.select(
        "household_no",
        pl.col("pid").alias("id_number"),
        pl.lit(feed).alias("feed"),
        "feed_as_of",
        "_row",
        pl.lit(kind).alias("kind"),
        counted.alias("counted"),
        text.alias("text"),
        evidence.alias("evidence"),
    )


def rows_text(rows: pl.Expr) -> pl.Expr:
    return rows.cast(pl.List(pl.String)).list.join("、")
