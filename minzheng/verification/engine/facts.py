"""Per-person facts and findings, one function per group of feeds (called by evaluate.evaluate)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from minzheng.verification.engine.texts import (
    ACTIVE_ENTERPRISE,
    FEED_LABELS,
    FEED_ORDER,
    MEDICAL_WINDOW_DAYS,
    WAGE_TAX_ITEMS,
    WINDOW_MONTHS,
    cell,
    row_findings,
    rows_text,
    suffix,
    yuan,
)

# --- income -------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """[first day of the 6th month before as_of's month, first day of as_of's month)."""
    end = as_of.replace(day=1)
    return add_months(end, -WINDOW_MONTHS), end


def _in_window(f: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    start, end = window(as_of)
    # (A person-month delivered twice was settled in evaluate._resolve: the newer delivery wins.)
    return f.filter((pl.col("period") >= start) & (pl.col("period") < end))


MATCH_DOUBT = {"id": 0, "digest": 1, "confirmed": 2}


def _average(w: pl.LazyFrame, amount: str, keys: list[str], labels: str | None = None) -> pl.LazyFrame:
    """Per person (and keys): months with data, total, average rounded half up to the fen, source rows."""
    # A summary may join rows matched by number with rows linked by hand: it reports the least
    # certain match (and its weight), so a reader sees that a person confirmed part of the evidence.
    doubt = pl.col("match").replace_strict(MATCH_DOUBT, default=len(MATCH_DOUBT), return_dtype=pl.Int64)
    aggs = [
        pl.col("period").n_unique().alias("months"),
        pl.col(amount).sum().alias("total_fen"),
        pl.col("_row").sort().alias("rows"),
        pl.col("period").unique().sort().dt.strftime("%Y-%m").alias("months_list"),
        pl.col("feed_as_of").max(),
        pl.col("match").sort_by(doubt, descending=True).first(),
        pl.col("match_weight").sort_by(doubt, descending=True).first(),
        pl.col("household_no").first(),
    ]
    if labels:
        aggs.append(pl.col(labels).drop_nulls().unique(maintain_order=True).alias("labels"))
    # Rows in source order first: the labels (employers, schemes) are listed in the order the
    # department's file gives them, whatever order the lookup returned the rows in.
    out = w.sort(["feed_as_of", "_row"]).group_by(["pid", *keys], maintain_order=True).agg(aggs)
    n = pl.col("months").cast(pl.Int64)
    return out.with_columns(avg_fen=(2 * pl.col("total_fen") + n) // (2 * n))


def _summary_findings(a: pl.LazyFrame, feed: str, kind: str, body: pl.Expr, counted: pl.Expr) -> pl.LazyFrame:
    text = pl.concat_str([pl.lit(FEED_LABELS[feed] + "："), body, suffix(rows_text(pl.col("rows")))])
    evidence = pl.struct(
        pl.lit(feed).alias("feed"),
        pl.lit(FEED_LABELS[feed]).alias("feed_name"),
        pl.col("feed_as_of"),
        pl.col("rows"),
        pl.col("months_list").alias("months"),
        pl.col("total_fen"),
        pl.col("avg_fen").alias("monthly_avg_fen"),
        pl.col("match"),
        pl.col("match_weight"),
    ).struct.json_encode()
    return a.select(
        "household_no",
        pl.col("pid").alias("id_number"),
        pl.lit(feed).alias("feed"),
        "feed_as_of",
        pl.col("rows").list.first().alias("_row"),
        pl.lit(kind).alias("kind"),
        counted.alias("counted"),
        text.alias("text"),
        evidence.alias("evidence"),
    )


def _months_phrase(what: str) -> pl.Expr:
    return pl.concat_str([pl.lit("近 6 个月中 "), cell("months"), pl.lit(f" 个月有{what}，月均")])


Part = tuple[pl.LazyFrame | None, list[pl.LazyFrame]]


INCOME_FEEDS = ("social_insurance", "pension", "unemployment", "tax")
_NO_AVERAGE: dict[str, pl.DataFrame] = {}


def _income_average(rows: dict[str, pl.LazyFrame], feed: str, as_of: dt.date) -> pl.LazyFrame:
    f = _in_window(rows[feed], as_of)
    if feed == "social_insurance":
        return _average(f, "base_fen", [], labels="employer")
    if feed == "pension":
        return _average(f, "amount_fen", [], labels="scheme")
    if feed == "unemployment":
        return _average(f, "amount_fen", [])
    source = pl.when(pl.col("item").is_in(WAGE_TAX_ITEMS)).then(pl.lit("wage")).otherwise(pl.lit("other"))
    return _average(f.with_columns(source=source), "income_fen", ["source"], labels="item")


def _income_averages(rows: dict[str, pl.LazyFrame], as_of: dt.date, present: frozenset[str]) -> list[pl.LazyFrame]:
    """The four averages; a feed without rows gives its (cached) empty frame instead of a plan to run."""
    todo = [f for f in INCOME_FEEDS if f in present]
    # Both the facts and the findings read these four: compute each once.
    done = dict(zip(todo, pl.collect_all([_income_average(rows, f, as_of) for f in todo]), strict=True))
    for feed in INCOME_FEEDS:
        if feed not in done:
            if feed not in _NO_AVERAGE:
                _NO_AVERAGE[feed] = _income_average(rows, feed, as_of).clear().collect()
            done[feed] = _NO_AVERAGE[feed]
    return [done[f].lazy() for f in INCOME_FEEDS]


def income(rows: dict[str, pl.LazyFrame], as_of: dt.date, present: frozenset[str]) -> Part:
    if not present.intersection(INCOME_FEEDS):
        return None, []
    si, pension, unemployment, tax = _income_averages(rows, as_of, present)
    has_si = si.select("pid", has_si=pl.lit(True))
    tax = tax.join(has_si, on="pid", how="left").with_columns(pl.col("has_si").fill_null(False))
    tax_wage = tax.filter(pl.col("source") == "wage").select("pid", tax_wage=pl.col("avg_fen"))
    tax_other = tax.filter(pl.col("source") == "other").select("pid", income_other_fen=pl.col("avg_fen"))
    facts = (
        pl.concat([a.select("pid") for a in (si, pension, unemployment, tax)])
        .unique()
        .join(si.select("pid", si_wage=pl.col("avg_fen")), on="pid", how="left")
        .join(tax_wage, on="pid", how="left")
        .join(tax_other, on="pid", how="left")
        .join(pension.select("pid", income_pension_fen=pl.col("avg_fen")), on="pid", how="left")
        .join(unemployment.select("pid", income_unemployment_fen=pl.col("avg_fen")), on="pid", how="left")
        .with_columns(
            income_wage_fen=pl.coalesce("si_wage", "tax_wage"),
            wage_source=pl.when(pl.col("si_wage").is_not_null())
            .then(pl.lit("social_insurance"))
            .when(pl.col("tax_wage").is_not_null())
            .then(pl.lit("tax")),
        )
        .drop("si_wage", "tax_wage")
        .rename({"pid": "id_number"})
    )
    labels = pl.col("labels").list.join("、")
    findings: list[pl.LazyFrame] = []
    if "social_insurance" in present:
        findings.append(
            _summary_findings(
                si,
                "social_insurance",
                "wage",
                pl.concat_str(
                    [
                        labels,
                        pl.lit("，"),
                        _months_phrase("缴费"),
                        pl.lit("缴费基数 "),
                        yuan(pl.col("avg_fen")),
                        pl.lit(" 元，计为工资性收入"),
                    ]
                ),
                pl.lit(True),
            )
        )
    if "pension" in present:
        findings.append(
            _summary_findings(
                pension,
                "pension",
                "pension",
                pl.concat_str(
                    [labels, pl.lit("，"), _months_phrase("发放"), pl.lit(" "), yuan(pl.col("avg_fen")), pl.lit(" 元")]
                ),
                pl.lit(True),
            )
        )
    if "unemployment" in present:
        findings.append(
            _summary_findings(
                unemployment,
                "unemployment",
                "unemployment",
                pl.concat_str([_months_phrase("发放"), pl.lit(" "), yuan(pl.col("avg_fen")), pl.lit(" 元")]),
                pl.lit(True),
            )
        )
    if "tax" in present:
        findings.append(
            _summary_findings(
                tax,
                "tax",
                "income",
                pl.concat_str(
                    [
                        labels,
                        pl.lit("，"),
                        _months_phrase("申报"),
                        pl.lit("收入额 "),
                        yuan(pl.col("avg_fen")),
                        pl.lit(" 元，"),
                        pl.when(pl.col("source") == "other")
                        .then(pl.lit("计为其他收入"))
                        .when(pl.col("has_si"))
                        .then(pl.lit("已按社保缴费基数计工资性收入，不重复计入"))
                        .otherwise(pl.lit("计为工资性收入")),
                    ]
                ),
                (pl.col("source") == "other") | ~pl.col("has_si"),
            )
        )
    return facts, findings


# --- deceased -----------------------------------------------------------------------------------


def deceased(rows: dict[str, pl.LazyFrame], as_of: dt.date, present: frozenset[str]) -> Part:
    hukou = rows["hukou"].filter(pl.col("status") == "死亡注销")
    death = rows["death"].filter(pl.col("died_on").is_null() | (pl.col("died_on") <= as_of))
    cremation = rows["cremation"].filter(pl.col("died_on").is_null() | (pl.col("died_on") <= as_of))
    sources = {
        "hukou": lambda: hukou.select("pid", feed=pl.lit("hukou"), day=pl.col("cancelled_on")),
        "death": lambda: death.select("pid", feed=pl.lit("death"), day=pl.col("died_on")),
        "cremation": lambda: cremation.select("pid", feed=pl.lit("cremation"), day=pl.col("died_on")),
    }
    if not present.intersection(sources):
        return None, []
    said = pl.concat([source() for feed, source in sources.items() if feed in present])
    order = pl.col("feed").replace_strict(FEED_ORDER, return_dtype=pl.Int64)
    facts = (
        said.with_columns(order=order)
        .sort("order")
        .group_by("pid")
        .agg(
            died_on=pl.col("day").min(),
            death_sources=pl.col("feed").unique(maintain_order=True),
        )
        .rename({"pid": "id_number"})
    )
    findings: list[pl.LazyFrame] = []
    if "hukou" in present:
        findings.append(
            row_findings(
                hukou,
                "hukou",
                "deceased",
                pl.concat_str([pl.lit("户籍状态为死亡注销，注销日期 "), cell("cancelled_on", "未提供")]),
                pl.lit(True),
                ["status", "cancelled_on", "household_ref"],
            )
        )
    if "death" in present:
        findings.append(
            row_findings(
                death,
                "death",
                "deceased",
                pl.concat_str([pl.lit("已开具死亡医学证明，死亡日期 "), cell("died_on", "未提供")]),
                pl.lit(True),
                ["died_on"],
            )
        )
    if "cremation" in present:
        findings.append(
            row_findings(
                cremation,
                "cremation",
                "deceased",
                pl.concat_str(
                    [
                        pl.lit("已火化，死亡日期 "),
                        cell("died_on", "未提供"),
                        pl.lit("，火化日期 "),
                        cell("cremated_on", "未提供"),
                    ]
                ),
                pl.lit(True),
                ["died_on", "cremated_on"],
            )
        )
    return facts, findings


# --- assets -------------------------------------------------------------------------------------


def assets(rows: dict[str, pl.LazyFrame], present: frozenset[str]) -> Part:
    vehicle, estate, firm = rows["vehicle"], rows["real_estate"], rows["enterprise"]
    deposit, securities = rows["deposit"], rows["securities"]
    fund = rows["housing_fund"].filter(pl.col("period").is_not_null())
    # The balance is the newest month's (newest delivery first, then the latest period).
    fund = fund.sort(["feed_as_of", "period", "_row"], descending=True).unique(subset="pid", keep="first")
    active = pl.col("reg_status").is_in(ACTIVE_ENTERPRISE)
    counts = {
        "vehicle": lambda: vehicle.group_by("pid").agg(
            vehicle_count=pl.len().cast(pl.Int64), vehicle_value_fen=pl.col("value_fen").sum()
        ),
        "real_estate": lambda: estate.group_by("pid").agg(
            real_estate_count=pl.len().cast(pl.Int64), real_estate_area_m2=pl.col("area_m2").sum()
        ),
        "enterprise": lambda: firm.filter(active)
        .group_by("pid")
        .agg(enterprise_count=pl.len().cast(pl.Int64), enterprise_capital_fen=pl.col("capital_fen").sum()),
        "deposit": lambda: deposit.group_by("pid").agg(deposits_fen=pl.col("balance_fen").sum()),
        "securities": lambda: securities.group_by("pid").agg(securities_fen=pl.col("market_value_fen").sum()),
        "housing_fund": lambda: fund.select("pid", housing_fund_balance_fen=pl.col("balance_fen")),
    }
    facts = _join_all([count() for feed, count in counts.items() if feed in present])
    value = (
        pl.when(pl.col("value_fen").is_null())
        .then(pl.lit("车辆价值未提供"))
        .otherwise(pl.concat_str([pl.lit("车辆价值 "), yuan(pl.col("value_fen")), pl.lit(" 元")]))
    )
    findings: list[pl.LazyFrame] = []
    if "vehicle" in present:
        findings.append(
            row_findings(
                vehicle,
                "vehicle",
                "vehicle",
                pl.concat_str(
                    [pl.lit("名下"), cell("vehicle_type", "车辆"), pl.lit(" "), cell("plate"), pl.lit("，"), value]
                ),
                pl.lit(True),
                ["plate", "vehicle_type", "registered_on", "value_fen"],
            )
        )
    if "real_estate" in present:
        findings.append(
            row_findings(
                estate,
                "real_estate",
                "real_estate",
                pl.concat_str(
                    [
                        pl.lit("名下"),
                        cell("use"),
                        pl.lit("房产 "),
                        cell("location"),
                        pl.lit("，建筑面积 "),
                        cell(pl.col("area_m2").round(2), "未提供"),
                        pl.lit(" 平方米（不动产单元号 "),
                        cell("unit_no"),
                        pl.lit("）"),
                    ]
                ),
                pl.lit(True),
                ["unit_no", "location", "area_m2", "use", "registered_on"],
            )
        )
    if "enterprise" in present:
        findings.append(
            row_findings(
                firm,
                "enterprise",
                "enterprise",
                pl.concat_str(
                    [
                        cell("company"),
                        pl.lit("（"),
                        cell("uscc"),
                        pl.lit("）"),
                        cell("role"),
                        pl.lit("，认缴出资额 "),
                        yuan(pl.col("capital_fen")).fill_null("未提供"),
                        pl.lit(" 元，登记状态"),
                        cell("reg_status", "未提供"),
                        pl.when(active).then(pl.lit("")).otherwise(pl.lit("，不计入")),
                    ]
                ),
                active.fill_null(False),
                ["uscc", "company", "role", "capital_fen", "reg_status"],
            )
        )
    if "deposit" in present:
        findings.append(
            row_findings(
                deposit,
                "deposit",
                "deposit",
                pl.concat_str(
                    [
                        cell("institution"),
                        pl.lit("存款余额 "),
                        yuan(pl.col("balance_fen")).fill_null("未提供"),
                        pl.lit(" 元（查询日期 "),
                        cell("queried_on", "未提供"),
                        pl.lit("）"),
                    ]
                ),
                pl.lit(True),
                ["institution", "balance_fen", "queried_on"],
            )
        )
    if "securities" in present:
        findings.append(
            row_findings(
                securities,
                "securities",
                "securities",
                pl.concat_str(
                    [
                        pl.lit("证券资产市值 "),
                        yuan(pl.col("market_value_fen")).fill_null("未提供"),
                        pl.lit(" 元（查询日期 "),
                        cell("queried_on", "未提供"),
                        pl.lit("）"),
                    ]
                ),
                pl.lit(True),
                ["market_value_fen", "queried_on"],
            )
        )
    if "housing_fund" in present:
        findings.append(
            row_findings(
                fund,
                "housing_fund",
                "housing_fund",
                pl.concat_str(
                    [
                        pl.lit("账户余额 "),
                        yuan(pl.col("balance_fen")).fill_null("未提供"),
                        pl.lit(" 元（"),
                        pl.col("period").dt.strftime("%Y-%m"),
                        pl.lit("），月缴存额 "),
                        yuan(pl.col("monthly_fen")).fill_null("未提供"),
                        pl.lit(" 元"),
                    ]
                ),
                pl.lit(True),
                ["balance_fen", "monthly_fen", "period"],
            )
        )
    return facts, findings


def _join_all(frames: list[pl.LazyFrame]) -> pl.LazyFrame | None:
    """The frames side by side per person; None without any (evaluate adds their columns as nulls)."""
    if not frames:
        return None
    keys = pl.concat([f.select("pid") for f in frames]).unique()
    for f in frames:
        keys = keys.join(f, on="pid", how="left")
    return keys.rename({"pid": "id_number"})


# --- status -------------------------------------------------------------------------------------


def status(rows: dict[str, pl.LazyFrame], as_of: dt.date, present: frozenset[str]) -> Part:
    payroll, prison, student, disability = rows["public_payroll"], rows["prison"], rows["student"], rows["disability"]
    inside = (pl.col("admitted_on").is_null() | (pl.col("admitted_on") <= as_of)) & (
        pl.col("release_on").is_null() | (pl.col("release_on") > as_of)
    )
    enrolled = pl.col("status") == "在校"
    flags = {
        "public_payroll": lambda: payroll.group_by("pid").agg(public_payroll=pl.lit(True)),
        "prison": lambda: prison.filter(inside).group_by("pid").agg(prison=pl.lit(True)),
        "student": lambda: student.filter(enrolled).group_by("pid").agg(student=pl.lit(True)),
        "disability": lambda: disability.group_by("pid").agg(disability=pl.lit(True)),
    }
    facts = _join_all([flag() for feed, flag in flags.items() if feed in present])
    findings: list[pl.LazyFrame] = []
    if "public_payroll" in present:
        findings.append(
            row_findings(
                payroll,
                "public_payroll",
                "public_payroll",
                pl.concat_str([cell("employer"), pl.lit(" "), cell("category")]),
                pl.lit(True),
                ["employer", "category"],
            )
        )
    if "prison" in present:
        findings.append(
            row_findings(
                prison,
                "prison",
                "prison",
                pl.concat_str(
                    [
                        cell("admitted_on", "日期不详"),
                        pl.lit(" 入监，预计 "),
                        cell("release_on", "日期不详"),
                        pl.lit(" 刑满，"),
                        pl.when(inside)
                        .then(pl.lit("核对日在服刑期内"))
                        .otherwise(pl.lit("核对日不在服刑期内，不计入")),
                    ]
                ),
                inside,
                ["admitted_on", "release_on"],
            )
        )
    if "student" in present:
        findings.append(
            row_findings(
                student,
                "student",
                "student",
                pl.concat_str(
                    [
                        cell("school"),
                        pl.lit(" "),
                        cell("stage"),
                        pl.lit("，"),
                        cell("status", "状态未提供"),
                        pl.when(enrolled).then(pl.lit("")).otherwise(pl.lit("，不计为在校")),
                    ]
                ),
                enrolled.fill_null(False),
                ["school", "stage", "status"],
            )
        )
    if "disability" in present:
        findings.append(
            row_findings(
                disability,
                "disability",
                "disability",
                pl.concat_str([pl.lit("持残疾证，"), cell("category"), pl.lit("残疾 "), cell("grade")]),
                pl.lit(True),
                ["category", "grade"],
            )
        )
    return facts, findings


def other(rows: dict[str, pl.LazyFrame], as_of: dt.date, present: frozenset[str]) -> Part:
    """Findings without a flag: 户籍 moved away, marriage registrations, medical settlements of the last year."""
    moved = rows["hukou"].filter(pl.col("status").is_not_null() & ~pl.col("status").is_in(["正常", "死亡注销"]))
    marriage = rows["marriage"]
    medical = rows["medical"].filter(pl.col("settled_on") > as_of - dt.timedelta(days=MEDICAL_WINDOW_DAYS))
    findings: list[pl.LazyFrame] = []
    if "hukou" in present:
        findings.append(
            row_findings(
                moved,
                "hukou",
                "hukou",
                pl.concat_str(
                    [pl.lit("户籍状态为"), cell("status"), pl.lit("，注销日期 "), cell("cancelled_on", "未提供")]
                ),
                pl.lit(True),
                ["status", "cancelled_on", "household_ref"],
            )
        )
    if "marriage" in present:
        findings.append(
            row_findings(
                marriage,
                "marriage",
                "marriage",
                pl.concat_str([cell("registered_on", "日期不详"), pl.lit(" 登记"), cell("kind")]),
                pl.lit(True),
                ["kind", "registered_on"],
            )
        )
    if "medical" in present:
        findings.append(
            row_findings(
                medical,
                "medical",
                "medical",
                pl.concat_str(
                    [
                        cell("settled_on"),
                        pl.lit(" 结算，医疗总费用 "),
                        yuan(pl.col("total_fen")).fill_null("未提供"),
                        pl.lit(" 元，统筹支付 "),
                        yuan(pl.col("fund_fen")).fill_null("未提供"),
                        pl.lit(" 元，个人自付 "),
                        yuan(pl.col("self_fen")).fill_null("未提供"),
                        pl.lit(" 元"),
                    ]
                ),
                pl.lit(True),
                ["settled_on", "total_fen", "fund_fen", "self_fen"],
            )
        )
    return None, findings
