"""The evaluation on tiny hand-built Arrow tables: exact values to the fen, texts, evidence, totals."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa
import pytest

from minzheng.verification.engine.evaluate import FLAGS, digest, evaluate, window, with_digests

D = dt.date
AS_OF = D(2026, 12, 1)
HEAD = "330212197803154412"  # 张建国
WIFE = "330212198004226023"  # 李秀英
SON = "330212201509103218"  # 张小明
STRANGER = "330212199001011237"


def members(*ids: str, household: str = "H1") -> pa.Table:
    names = {HEAD: "张建国", WIFE: "李秀英", SON: "张小明", STRANGER: "王某"}
    return pa.table(
        {
            "id_number": list(ids),
            "name": [names[i] for i in ids],
            "household_no": [household] * len(ids),
            "division_code": ["330212100201"] * len(ids),
            "birth_date": [D(int(i[6:10]), int(i[10:12]), int(i[12:14])) for i in ids],
        }
    )


def feed(rows: list[dict[str, Any]], as_of: dt.date = AS_OF, first_row: int = 2) -> pa.Table:
    """Rows as the store holds them: contract columns plus `_row` and `feed_as_of`."""
    out = []
    for i, r in enumerate(rows):
        base = {"_row": first_row + i, "id_raw": r.get("id_number"), "name": "某", "feed_as_of": as_of}
        out.append({**base, **r})
    return pa.Table.from_pylist(out)


def person(result: Any, id_number: str) -> dict[str, Any]:
    return next(p for p in result.persons.to_pylist() if p["id_number"] == id_number)


def findings(result: Any, feed_id: str | None = None) -> list[dict[str, Any]]:
    return [f for f in result.findings.to_pylist() if feed_id is None or f["feed"] == feed_id]


def test_window_is_the_six_calendar_months_before_the_as_of_month() -> None:
    assert window(D(2026, 12, 1)) == (D(2026, 6, 1), D(2026, 12, 1))
    assert window(D(2026, 3, 15)) == (D(2025, 9, 1), D(2026, 3, 1))


def test_social_insurance_average_over_months_with_data_rounds_half_up() -> None:
    si = feed(
        [
            {"id_number": HEAD, "employer": "甲厂", "base_fen": 500000, "period": D(2026, 6, 1)},
            {"id_number": HEAD, "employer": "甲厂", "base_fen": 500000, "period": D(2026, 8, 1)},
            {"id_number": HEAD, "employer": "乙厂", "base_fen": 100001, "period": D(2026, 8, 1)},  # same month: sum
            {"id_number": HEAD, "employer": "甲厂", "base_fen": 600000, "period": D(2026, 11, 1)},
            {"id_number": HEAD, "employer": "甲厂", "base_fen": 999999, "period": D(2026, 5, 1)},  # before window
            {"id_number": HEAD, "employer": "甲厂", "base_fen": 999999, "period": D(2026, 12, 1)},  # as-of month
            {"id_number": STRANGER, "employer": "甲厂", "base_fen": 777777, "period": D(2026, 8, 1)},
        ]
    )
    result = evaluate(members(HEAD, WIFE), {"social_insurance": si}, AS_OF)
    head = person(result, HEAD)
    # (500000 + 600001 + 600000) / 3 months with data = 566667 (566666.67 rounded half up)
    assert head["income_wage_fen"] == 566667
    assert head["wage_source"] == "social_insurance"
    assert head["flags"] == ["wage"]
    assert person(result, WIFE)["income_wage_fen"] == 0
    assert person(result, WIFE)["flags"] == []
    (finding,) = findings(result, "social_insurance")
    assert finding["text"] == (
        "人社社保缴费：甲厂、乙厂，近 6 个月中 3 个月有缴费，月均缴费基数 5,666.67 元，计为工资性收入"
        "（数据时点 2026-12-01，第 2、3、4、5 行）"
    )
    evidence = json.loads(finding["evidence"])
    assert evidence["rows"] == [2, 3, 4, 5]
    assert evidence["months"] == ["2026-06", "2026-08", "2026-11"]
    assert evidence["total_fen"] == 1700001
    assert result.households.to_pylist()[0]["income_monthly_fen"] == 566667


def test_tax_wage_counts_only_without_social_insurance_and_other_items_are_other_income() -> None:
    si = feed([{"id_number": HEAD, "employer": "甲厂", "base_fen": 400000, "period": D(2026, 9, 1)}])
    tax = feed(
        [
            {"id_number": HEAD, "item": "工资薪金所得", "income_fen": 900000, "period": D(2026, 9, 1)},
            {"id_number": WIFE, "item": "工资薪金所得", "income_fen": 300000, "period": D(2026, 7, 1)},
            {"id_number": WIFE, "item": "工资薪金所得", "income_fen": 300001, "period": D(2026, 10, 1)},
            {"id_number": WIFE, "item": "经营所得", "income_fen": 120000, "period": D(2026, 7, 1)},
            {"id_number": WIFE, "item": "劳务报酬所得", "income_fen": 30000, "period": D(2026, 8, 1)},
        ]
    )
    result = evaluate(members(HEAD, WIFE), {"social_insurance": si, "tax": tax}, AS_OF)
    head, wife = person(result, HEAD), person(result, WIFE)
    assert (head["income_wage_fen"], head["income_other_fen"]) == (400000, 0)
    # wage: (300000 + 300001) / 2 = 300000.5 → 300001; other: (120000 + 30000) / 2 months = 75000
    assert (wife["income_wage_fen"], wife["wage_source"], wife["income_other_fen"]) == (300001, "tax", 75000)
    assert wife["income_monthly_fen"] == 375001
    texts = [f["text"] for f in findings(result, "tax")]
    assert "已按社保缴费基数计工资性收入，不重复计入" in texts[0]
    assert texts[1].startswith("税务：工资薪金所得，近 6 个月中 2 个月有申报，月均收入额 3,000.01 元，计为工资性收入")
    assert texts[2].startswith(
        "税务：经营所得、劳务报酬所得，近 6 个月中 2 个月有申报，月均收入额 750.00 元，计为其他收入"
    )
    counted = [f["counted"] for f in findings(result, "tax")]
    assert counted == [False, True, True]
    totals = result.households.to_pylist()[0]
    assert totals["income_monthly_fen"] == 775001
    assert totals["per_capita_income_monthly_fen"] == 387501  # 387500.5 rounded half up


def test_pension_unemployment_and_the_newer_snapshot_wins_for_a_month() -> None:
    older = feed(
        [
            {"id_number": HEAD, "scheme": "城乡居民基本养老保险", "amount_fen": 30000, "period": D(2026, 6, 1)},
            {"id_number": HEAD, "scheme": "城乡居民基本养老保险", "amount_fen": 30000, "period": D(2026, 7, 1)},
        ],
        as_of=D(2026, 8, 1),
    )
    newer = feed(
        [
            {"id_number": HEAD, "scheme": "城乡居民基本养老保险", "amount_fen": 31000, "period": D(2026, 7, 1)},
            {"id_number": HEAD, "scheme": "城乡居民基本养老保险", "amount_fen": 31000, "period": D(2026, 10, 1)},
        ]
    )
    unemployment = feed([{"id_number": WIFE, "amount_fen": 182700, "period": D(2026, 11, 1)}])
    later = feed([{"id_number": WIFE, "amount_fen": 999900, "period": D(2026, 11, 1)}], as_of=D(2027, 1, 1))
    result = evaluate(
        members(HEAD, WIFE),
        {"pension": pa.concat_tables([older, newer]), "unemployment": pa.concat_tables([unemployment, later])},
        AS_OF,
    )
    # June 30000 (old delivery only), July 31000 (new replaces old), October 31000 → 92000 / 3
    assert person(result, HEAD)["income_pension_fen"] == 30667
    assert person(result, HEAD)["flags"] == ["pension"]
    assert person(result, WIFE)["income_unemployment_fen"] == 182700  # the 2027 delivery is after as_of
    assert person(result, WIFE)["flags"] == ["unemployment"]


def test_deceased_takes_the_earliest_date_and_names_every_source() -> None:
    hukou = feed(
        [
            {"id_number": WIFE, "status": "死亡注销", "cancelled_on": D(2026, 6, 10)},
            {"id_number": HEAD, "status": "正常", "cancelled_on": None},
        ]
    )
    death = feed([{"id_number": WIFE, "died_on": D(2026, 5, 3)}], first_row=9)
    cremation = feed([{"id_number": WIFE, "died_on": D(2026, 5, 2), "cremated_on": D(2026, 5, 5)}], first_row=4)
    result = evaluate(members(HEAD, WIFE), {"hukou": hukou, "death": death, "cremation": cremation}, AS_OF)
    wife = person(result, WIFE)
    assert wife["died_on"] == D(2026, 5, 2)
    assert wife["death_sources"] == ["hukou", "cremation", "death"]
    assert wife["flags"] == ["deceased"]
    assert person(result, HEAD)["flags"] == []
    texts = [f["text"] for f in findings(result)]
    assert texts == [
        "公安户籍：户籍状态为死亡注销，注销日期 2026-06-10（数据时点 2026-12-01，第 2 行）",
        "民政殡葬：已火化，死亡日期 2026-05-02，火化日期 2026-05-05（数据时点 2026-12-01，第 4 行）",
        "卫健死亡医学证明：已开具死亡医学证明，死亡日期 2026-05-03（数据时点 2026-12-01，第 9 行）",
    ]
    assert result.households.to_pylist()[0]["deceased_members"] == 1


def test_only_death_certificate_still_counts_as_deceased() -> None:
    death = feed([{"id_number": SON, "died_on": D(2026, 11, 30)}])
    result = evaluate(members(SON), {"death": death}, AS_OF)
    assert person(result, SON)["died_on"] == D(2026, 11, 30)
    assert person(result, SON)["death_sources"] == ["death"]


@pytest.mark.parametrize(
    ("admitted", "release", "inside"),
    [
        (D(2025, 1, 1), D(2027, 1, 1), True),
        (D(2026, 12, 1), D(2027, 1, 1), True),  # admitted on the as-of day
        (D(2025, 1, 1), D(2026, 12, 1), False),  # released on the as-of day
        (D(2025, 1, 1), D(2026, 11, 30), False),
        (D(2026, 12, 2), D(2028, 1, 1), False),  # not yet admitted
        (D(2025, 1, 1), None, True),  # no release date: still inside
    ],
)
def test_prison_window(admitted: dt.date, release: dt.date | None, inside: bool) -> None:
    prison = feed([{"id_number": HEAD, "admitted_on": admitted, "release_on": release}])
    result = evaluate(members(HEAD), {"prison": prison}, AS_OF)
    assert person(result, HEAD)["prison"] is inside
    assert ("prison" in person(result, HEAD)["flags"]) is inside
    (finding,) = findings(result, "prison")
    assert finding["counted"] is inside
    assert finding["text"].endswith(
        ("核对日在服刑期内" if inside else "核对日不在服刑期内，不计入") + "（数据时点 2026-12-01，第 2 行）"
    )


def test_enterprise_counts_only_active_registrations() -> None:
    rows = [
        {"uscc": "91330212A", "company": "宁波鑫隆商贸有限公司", "reg_status": "存续", "capital_fen": 50_000_000},
        {"uscc": "92330212B", "company": "鄞州区张建国五金店", "reg_status": "在业", "capital_fen": 3_000_000},
        {"uscc": "91330212C", "company": "宁波旺达科技有限公司", "reg_status": "注销", "capital_fen": 500_000_000},
        {"uscc": "91330212D", "company": "宁波丰源水产有限公司", "reg_status": "吊销", "capital_fen": 1_250_000},
    ]
    firm = feed([{"id_number": HEAD, "role": "投资人", **r} for r in rows])
    result = evaluate(members(HEAD, WIFE), {"enterprise": firm}, AS_OF)
    head = person(result, HEAD)
    assert (head["enterprise_count"], head["enterprise_capital_fen"]) == (2, 53_000_000)
    assert head["flags"] == ["enterprise"]
    texts = [f["text"] for f in findings(result, "enterprise")]
    assert texts[0] == (
        "市场监管企业登记：宁波鑫隆商贸有限公司（91330212A）投资人，认缴出资额 500,000.00 元，登记状态存续"
        "（数据时点 2026-12-01，第 2 行）"
    )
    assert texts[2].endswith("登记状态注销，不计入（数据时点 2026-12-01，第 4 行）")
    assert [f["counted"] for f in findings(result, "enterprise")] == [True, True, False, False]
    assert result.households.to_pylist()[0]["enterprise_capital_fen"] == 53_000_000


def test_assets_texts_and_totals() -> None:
    vehicles = feed(
        [
            {"id_number": HEAD, "plate": "浙B12345", "vehicle_type": "小型轿车", "value_fen": 8_500_000},
            {"id_number": WIFE, "plate": "浙B6789A", "vehicle_type": "二轮摩托车", "value_fen": 123_456_789},
        ],
        first_row=37,
    )
    estate = feed(
        [
            {"id_number": HEAD, "unit_no": "U1", "location": "瞻岐镇合一村3幢201室", "area_m2": 89.5, "use": "住宅"},
            {"id_number": HEAD, "unit_no": "U2", "location": "瞻岐镇合一村8号", "area_m2": 40.255, "use": "商业"},
        ]
    )
    deposit = feed(
        [
            {"id_number": HEAD, "institution": "中国农业银行", "balance_fen": 1_000_001, "queried_on": AS_OF},
            {"id_number": WIFE, "institution": "宁波银行", "balance_fen": 99, "queried_on": AS_OF},
        ]
    )
    fund = feed(
        [
            {"id_number": HEAD, "monthly_fen": 50000, "period": D(2026, 10, 1), "balance_fen": 1_000_000},
            {"id_number": HEAD, "monthly_fen": 50000, "period": D(2026, 11, 1), "balance_fen": 1_050_000},
        ]
    )
    result = evaluate(
        members(HEAD, WIFE, SON),
        {"vehicle": vehicles, "real_estate": estate, "deposit": deposit, "housing_fund": fund},
        AS_OF,
    )
    head = person(result, HEAD)
    assert head["flags"] == ["vehicle", "real_estate"]
    assert (head["vehicle_count"], head["vehicle_value_fen"]) == (1, 8_500_000)
    assert (head["real_estate_count"], head["real_estate_area_m2"]) == (2, 129.76)
    assert head["housing_fund_balance_fen"] == 1_050_000
    texts = [f["text"] for f in findings(result)]
    assert "公安车辆：名下小型轿车 浙B12345，车辆价值 85,000.00 元（数据时点 2026-12-01，第 37 行）" in texts
    assert "公安车辆：名下二轮摩托车 浙B6789A，车辆价值 1,234,567.89 元（数据时点 2026-12-01，第 38 行）" in texts
    assert "银行存款：宁波银行存款余额 0.99 元（查询日期 2026-12-01）（数据时点 2026-12-01，第 3 行）" in texts
    assert "住房公积金：账户余额 10,500.00 元（2026-11），月缴存额 500.00 元（数据时点 2026-12-01，第 3 行）" in texts
    totals = result.households.to_pylist()[0]
    assert totals["members"] == 3
    assert (totals["vehicle_count"], totals["vehicle_value_fen"]) == (2, 131_956_789)
    assert (totals["real_estate_count"], totals["real_estate_area_m2"]) == (2, 129.76)
    assert totals["deposits_fen"] == 1_000_100
    assert totals["flags"] == ["vehicle", "real_estate"]
    vehicle_evidence = json.loads(findings(result, "vehicle")[0]["evidence"])
    assert vehicle_evidence | {"row": 37, "feed_as_of": "2026-12-01", "plate": "浙B12345", "value_fen": 8_500_000} == (
        vehicle_evidence
    )


def test_state_feeds_use_only_the_newest_snapshot_not_after_as_of() -> None:
    old = feed([{"id_number": HEAD, "employer": "鄞州区人民政府", "category": "公务员"}], as_of=D(2026, 6, 1))
    new = feed([{"id_number": WIFE, "employer": "鄞州区教育局", "category": "事业编制人员"}], as_of=D(2026, 11, 1))
    future = feed([{"id_number": SON, "employer": "鄞州区卫健局", "category": "公务员"}], as_of=D(2027, 1, 1))
    result = evaluate(members(HEAD, WIFE, SON), {"public_payroll": pa.concat_tables([old, new, future])}, AS_OF)
    assert [p["public_payroll"] for p in result.persons.to_pylist()] == [False, True, False]
    (finding,) = findings(result, "public_payroll")
    assert finding["text"] == "财政供养人员：鄞州区教育局 事业编制人员（数据时点 2026-11-01，第 2 行）"


def test_status_student_and_disability() -> None:
    student = feed(
        [
            {"id_number": SON, "school": "瞻岐镇中心小学", "stage": "小学", "status": "在校"},
            {"id_number": HEAD, "school": "宁波大学", "stage": "本科", "status": "休学"},
        ]
    )
    disability = feed([{"id_number": WIFE, "category": "肢体", "grade": "二级"}])
    result = evaluate(members(HEAD, WIFE, SON), {"student": student, "disability": disability}, AS_OF)
    assert [p["flags"] for p in result.persons.to_pylist()] == [[], ["disability"], ["student"]]
    texts = [f["text"] for f in findings(result)]
    assert texts[0] == "教育在校生：宁波大学 本科，休学，不计为在校（数据时点 2026-12-01，第 3 行）"
    assert texts[1] == "残联残疾证：持残疾证，肢体残疾 二级（数据时点 2026-12-01，第 2 行）"


def test_digest_rows_and_confirmed_links_find_their_member() -> None:
    key = b"test-key"
    securities = feed(
        [
            {"id_number": None, "id_digest": digest(HEAD, key), "market_value_fen": 250_000, "queried_on": AS_OF},
            {"id_number": None, "id_digest": digest(STRANGER, key), "market_value_fen": 1, "queried_on": AS_OF},
        ]
    )
    vehicles = feed([{"id_number": None, "plate": "浙B00001", "vehicle_type": "轻型货车", "value_fen": 2_000_000}])
    links = pa.table(
        {
            "feed": ["vehicle"],
            "feed_as_of": [AS_OF],
            "_row": [2],
            "id_number": [WIFE],
            "match_weight": [14.26],
        }
    )
    result = evaluate(
        with_digests(members(HEAD, WIFE), key), {"securities": securities, "vehicle": vehicles}, AS_OF, links
    )
    assert person(result, HEAD)["securities_fen"] == 250_000
    assert person(result, WIFE)["vehicle_value_fen"] == 2_000_000
    texts = [f["text"] for f in findings(result)]
    assert texts == [
        "证券：证券资产市值 2,500.00 元（查询日期 2026-12-01）（数据时点 2026-12-01，第 2 行；按身份号码摘要匹配）",
        "公安车辆：名下轻型货车 浙B00001，车辆价值 20,000.00 元"
        "（数据时点 2026-12-01，第 2 行；经人工确认匹配（权重 14.3））",
    ]
    # Without the link, the unnumbered row belongs to nobody.
    alone = evaluate(members(HEAD, WIFE), {"vehicle": vehicles}, AS_OF)
    assert alone.findings.num_rows == 0


def test_flags_follow_the_contract_order_and_many_households_evaluate_together() -> None:
    both = pa.concat_tables([members(HEAD, WIFE, household="H1"), members(SON, household="H2")])
    feeds = {
        "unemployment": feed([{"id_number": HEAD, "amount_fen": 182700, "period": D(2026, 11, 1)}]),
        "vehicle": feed([{"id_number": HEAD, "plate": "浙B1", "vehicle_type": "小型轿车", "value_fen": 1}]),
        "death": feed([{"id_number": HEAD, "died_on": D(2026, 10, 1)}]),
        "student": feed([{"id_number": SON, "school": "小学", "stage": "小学", "status": "在校"}]),
    }
    result = evaluate(both, feeds, AS_OF)
    assert person(result, HEAD)["flags"] == ["deceased", "vehicle", "unemployment"]
    assert [h["household_no"] for h in result.households.to_pylist()] == ["H1", "H2"]
    assert [h["members"] for h in result.households.to_pylist()] == [2, 1]
    assert result.households.to_pylist()[1]["flags"] == ["student"]
    assert set(FLAGS) >= {f for p in result.persons.to_pylist() for f in p["flags"]}


def test_no_feeds_gives_zeros_and_no_findings() -> None:
    result = evaluate(members(HEAD), {}, AS_OF)
    head = person(result, HEAD)
    assert head["flags"] == [] and head["income_monthly_fen"] == 0 and head["died_on"] is None
    assert result.findings.num_rows == 0
    totals = result.households.to_pylist()[0]
    assert totals["per_capita_income_monthly_fen"] == 0 and totals["real_estate_area_m2"] == 0.0
