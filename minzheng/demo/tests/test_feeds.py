"""Department feeds: the contract's headers, encodings, repeatable bytes, and data a verification can use."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
from collections import Counter
from pathlib import Path

import pytest
from stdnum.cn import uscc

from minzheng.core import idnumber
from minzheng.core.tabular import open_table
from minzheng.demo.feeds import HEADERS, digest, feed_path, write_feeds
from minzheng.demo.generator import write_residents_file

AS_OF = dt.date(2026, 11, 1)
# DATA_CONTRACTS §2, copied by hand so that a change in feeds.HEADERS cannot pass unnoticed.
CONTRACT = {
    "hukou": "公民身份号码, 姓名, 户号, 与户主关系, 户籍地区划代码, 户籍状态, 注销日期",
    "vehicle": "公民身份号码, 姓名, 号牌号码, 车辆类型, 初次登记日期, 车辆价值",
    "cremation": "公民身份号码, 姓名, 死亡日期, 火化日期",
    "death": "公民身份号码, 姓名, 死亡日期",
    "marriage": "男方身份号码, 女方身份号码, 登记类型, 登记日期",
    "social_insurance": "公民身份号码, 姓名, 单位名称, 缴费基数, 缴费年月",
    "pension": "公民身份号码, 姓名, 险种, 月发放金额, 发放年月",
    "unemployment": "公民身份号码, 姓名, 月发放金额, 发放年月",
    "real_estate": "权利人身份号码, 权利人姓名, 不动产单元号, 坐落, 建筑面积, 规划用途, 登记日期",
    "enterprise": "身份号码, 姓名, 统一社会信用代码, 企业名称, 角色, 认缴出资额(万元), 登记状态",
    "tax": "身份号码, 姓名, 所得项目, 收入额, 税款所属期",
    "housing_fund": "身份号码, 姓名, 月缴存额, 缴存年月, 账户余额",
    "public_payroll": "身份号码, 姓名, 单位名称, 人员类别",
    "deposit": "身份号码, 姓名, 机构名称, 余额, 查询日期",
    "securities": "身份号码摘要, 姓名, 资产市值, 查询日期",  # the HMAC-SM3 variant of 身份号码
    "medical": "身份号码, 姓名, 结算日期, 医疗总费用, 统筹支付, 个人自付",
    "disability": "身份号码, 姓名, 残疾类别, 残疾等级",
    "student": "身份号码, 姓名, 学校名称, 学段, 在校状态",
    "prison": "身份号码, 姓名, 入监日期, 预计刑满日期",
}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("feeds")
    residents = root / "居民.csv"
    write_residents_file(residents, persons=8000, seed=11)
    written = write_feeds(residents, root / "feeds", as_of=AS_OF, seed=11)
    return residents, root / "feeds", written


def feed(out: Path, feed_id: str) -> list[list[str]]:
    with open_table(feed_path(out, feed_id, AS_OF)) as table:
        return list(table.rows)


def registry(residents: Path) -> dict[str, dict[str, str]]:
    with residents.open(encoding="utf-8-sig", newline="") as fh:
        return {r["公民身份号码"]: r for r in csv.DictReader(fh)}


def test_all_19_feeds_with_the_contract_headers_and_encodings(county: tuple[Path, Path, dict[str, int]]) -> None:
    _, out, written = county
    assert list(written) == list(CONTRACT)
    encodings = {}
    for feed_id, header in CONTRACT.items():
        with open_table(feed_path(out, feed_id, AS_OF)) as table:
            assert table.headers == header.split(", "), feed_id
            assert sum(1 for _ in table.rows) == written[feed_id] > 0, feed_id
            encodings[feed_id] = table.encoding
    assert Counter(encodings.values()) == {"utf-8-sig": 16, "gb18030": 2, "xlsx": 1}
    assert encodings["hukou"] == encodings["vehicle"] == "gb18030"
    assert feed_path(out, "real_estate", AS_OF).name == "real_estate_2026-11-01.xlsx"
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "minzheng-demo-hmac-key" in readme and "HMAC-SM3" in readme


def test_same_seed_same_bytes_xlsx_included(county: tuple[Path, Path, dict[str, int]], tmp_path: Path) -> None:
    residents, out, _ = county
    write_feeds(residents, tmp_path, as_of=AS_OF, seed=11)
    for feed_id in HEADERS:
        assert feed_path(tmp_path, feed_id, AS_OF).read_bytes() == feed_path(out, feed_id, AS_OF).read_bytes(), feed_id
    other = tmp_path / "other"
    write_feeds(residents, other, as_of=AS_OF, seed=12)
    assert feed_path(other, "vehicle", AS_OF).read_bytes() != feed_path(out, "vehicle", AS_OF).read_bytes()


def test_messy_rows_as_the_contract_says(county: tuple[Path, Path, dict[str, int]]) -> None:
    residents, out, _ = county
    people = registry(residents)
    rows = feed(out, "vehicle") + feed(out, "deposit") + feed(out, "real_estate") + feed(out, "social_insurance")
    blank = sum(not r[0] for r in rows)
    wrong = sum(bool(r[0]) and not idnumber.is_valid(r[0]) for r in rows)
    old = sum(len(r[0]) == 15 for r in rows)
    renamed = sum(r[0] in people and people[r[0]]["姓名"] != r[1] for r in rows)
    assert 0.01 <= blank / len(rows) <= 0.03
    assert 0.005 <= wrong / len(rows) <= 0.02
    assert old > 0 and renamed > 0
    # Every row that does carry a valid number names a registered resident.
    assert all(idnumber.parse(r[0]).number in people for r in rows if r[0] and idnumber.is_valid(r[0]))


def test_deaths_agree_across_feeds_and_are_still_registered(county: tuple[Path, Path, dict[str, int]]) -> None:
    residents, out, _ = county
    people = registry(residents)
    died = {r[0]: r[2] for r in feed(out, "death") if r[0] in people}
    burnt = {r[0]: (r[2], r[3]) for r in feed(out, "cremation") if r[0] in people}
    assert len(died) > 20 and len(burnt) > 20
    for number, (death_day, cremation_day) in burnt.items():
        assert died.get(number, death_day) == death_day
        assert death_day < cremation_day < AS_OF.isoformat()
    hukou = {r[0]: r for r in feed(out, "hukou")}
    assert set(hukou) == set(people)
    cancelled = {n: r[6] for n, r in hukou.items() if r[5] == "死亡注销"}
    assert cancelled and all(died.get(n, burnt.get(n, ("",))[0]) < day for n, day in cancelled.items())
    assert Counter(r[5] for r in hukou.values())["迁出注销"] > 0
    poor_dead = [n for n in died if "低保" in people[n]["人员标签"] or "特困" in people[n]["人员标签"]]
    assert poor_dead  # still registered and still on the rolls: what a verification must catch


def test_low_income_households_have_something_to_find(county: tuple[Path, Path, dict[str, int]]) -> None:
    residents, out, _ = county
    people = registry(residents)
    poor = {n for n, r in people.items() if "低保" in r["人员标签"] or "特困" in r["人员标签"]}
    for feed_id in ("vehicle", "real_estate", "enterprise", "public_payroll", "deposit"):
        assert {r[0] for r in feed(out, feed_id)} & poor, feed_id


def test_enterprise_codes_money_and_digests(county: tuple[Path, Path, dict[str, int]]) -> None:
    residents, out, _ = county
    enterprise = feed(out, "enterprise")
    assert all(uscc.is_valid(r[2]) for r in enterprise)
    assert {r[4] for r in enterprise} <= {"法定代表人", "投资人", "董事", "监事", "高级管理人员", "个体工商户经营者"}
    assert all(float(r[5]) <= 1000 for r in enterprise)  # 万元, not 元
    digests = {digest(n): n for n in registry(residents)}
    securities = feed(out, "securities")
    assert all(len(r[0]) == 64 and r[0] in digests for r in securities)


def test_digest_is_hmac_sm3_under_the_documented_key() -> None:
    # GB/T 32905-2016 appendix A: SM3("abc"); proves OpenSSL's "sm3" is the national algorithm.
    assert hashlib.new("sm3", b"abc").hexdigest() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    expected = hmac.new(b"minzheng-demo-hmac-key", b"11010519491231002X", "sm3").hexdigest()
    assert (
        digest("11010519491231002X") == expected == "10e311213028f733d236b37b547ab7161e024d587f21ed1508ef89d75d0aa8a2"
    )
