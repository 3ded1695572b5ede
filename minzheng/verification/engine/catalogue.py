"""The department feed catalogue (部门核对数据, DATA_CONTRACTS §2) as declarative definitions.

Each feed is data: its Chinese headers (the contract's header first, then aliases users write),
the canonical column each maps to, the column's kind (how a cell is normalised and validated),
which columns carry the identity, what the as-of date means, and the sentence a finding uses.
Ingestion (`normalise`, `ingest`) interprets these definitions; adding a feed type is a new
`Feed(...)` entry plus tests, never a new code path.

Column kinds:
- TEXT     stripped, full-width normalised; ENUM additionally checks `allowed`
- ID       公民身份号码 → `<prefix>id_number` (normalised 18 digits or null), `<prefix>id_raw`,
           `<prefix>id_error` (Chinese reason when present but invalid), `<prefix>id_digest`
- DATE     2024-01-05, 2024/1/5, 20240105, 2024年1月5日, 2024.1.5 → date32
- MONTH    2024-01, 202401, 2024年1月, 2024/1 → date32, the first day of the month
- YUAN     元 with up to 2 decimals → int64 fen, parsed from the decimal string (never float)
- WANYUAN  万元 with up to 6 decimals → int64 fen (× 1,000,000)
- AREA     m² → float64 (an area, not money)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1
DIGEST_HEADER = "身份号码摘要"  # HMAC-SM3 of the normalised number, lower-case hex (DATA_CONTRACTS §2)


class Kind(StrEnum):
    TEXT = "text"
    ENUM = "enum"
    ID = "id"
    DATE = "date"
    MONTH = "month"
    YUAN = "yuan"
    WANYUAN = "wanyuan"
    AREA = "area"


class AsOf(StrEnum):
    SNAPSHOT = "snapshot"  # the register's state on the delivery's 数据时点
    MONTHLY = "monthly"  # one row per person per month; `period` says which month
    QUERY = "query"  # a bank/securities answer as of its 查询日期


KIND_LABELS = {
    Kind.TEXT: "文本",
    Kind.ENUM: "枚举",
    Kind.ID: "身份号码",
    Kind.DATE: "日期",
    Kind.MONTH: "年月",
    Kind.YUAN: "金额（元）",
    Kind.WANYUAN: "金额（万元）",
    Kind.AREA: "面积（平方米）",
}


@dataclass(frozen=True)
class Column:
    """One canonical column. `headers[0]` is the contract's header; the rest are accepted aliases."""

    name: str
    headers: tuple[str, ...]
    kind: Kind = Kind.TEXT
    label: str = ""  # Chinese name used in messages; defaults to headers[0]
    required: bool = True  # the header must be present (else the whole file is refused)
    nonempty: bool = False  # an empty cell rejects the row
    allowed: tuple[str, ...] = ()  # ENUM values
    digest_headers: tuple[str, ...] = ()  # ID only: headers that deliver the digest instead

    @property
    def title(self) -> str:
        return self.label or self.headers[0]

    @property
    def prefix(self) -> str:
        """ID columns: `id_number` → "", `spouse_id_number` → "spouse_"."""
        return self.name.removesuffix("id_number")


@dataclass(frozen=True)
class Feed:
    id: str
    department: str
    title: str
    columns: tuple[Column, ...]
    as_of: AsOf
    proves: str  # what one row proves, as a finding says it
    detail: str = ""  # str.format template over the row's canonical columns (money as 元 text)
    period: str | None = None  # the month column of a MONTHLY feed
    has_name: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind == Kind.ID)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def output_columns(self) -> list[tuple[str, str]]:
        """(name, arrow type) of a snapshot of this feed, in order (the contract's common columns first)."""
        out = [("_row", "int64")]
        for c in self.id_columns:
            p = c.prefix
            out += [(f"{p}id_number", "string"), (f"{p}id_raw", "string"), (f"{p}id_digest", "string")]
            out += [(f"{p}id_error", "string")]
        out.append(("name", "string"))
        for c in self.columns:
            if c.kind != Kind.ID and c.name != "name":
                out.append((c.name, ARROW_TYPES[c.kind]))
        return out

    def describe(self, row: dict[str, Any]) -> str:
        """The finding's sentence for one snapshot row: `proves`, then the row's details."""
        if not self.detail:
            return self.proves
        values = {k: _display(self, k, v) for k, v in row.items()}
        return f"{self.proves}（{self.detail.format_map(_Blank(values))}）"


ARROW_TYPES = {
    Kind.TEXT: "string",
    Kind.ENUM: "string",
    Kind.DATE: "date32",
    Kind.MONTH: "date32",
    Kind.YUAN: "int64",
    Kind.WANYUAN: "int64",
    Kind.AREA: "float64",
}


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"


def fen_text(fen: int) -> str:
    """12345 → '123.45 元' (integer arithmetic; negative amounts keep their sign)."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d} 元"


def _display(feed: Feed, key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    kind = next((c.kind for c in feed.columns if c.name == key), None)
    if kind in (Kind.YUAN, Kind.WANYUAN):
        return fen_text(int(value))
    if kind == Kind.MONTH and isinstance(value, dt.date):
        return f"{value.year}年{value.month}月"
    if kind == Kind.AREA:
        return f"{float(value):.2f} 平方米"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- building blocks ----------------------------------------------------------------------------
_ID_ALIASES = ("公民身份号码", "身份号码", "身份证号码", "身份证号", "证件号码", "公民身份证号码")


def person_id(header: str = "公民身份号码") -> Column:
    """The feed's identity column; any feed may deliver 身份号码摘要 in its place."""
    aliases = tuple(h for h in _ID_ALIASES if h != header)
    return Column("id_number", (header, *aliases), Kind.ID, label=header, digest_headers=(DIGEST_HEADER,))


def person_name(header: str = "姓名") -> Column:
    return Column("name", (header, *(("姓名",) if header != "姓名" else ())), label=header)


def text(name: str, *headers: str, required: bool = True, nonempty: bool = False) -> Column:
    return Column(name, headers, Kind.TEXT, required=required, nonempty=nonempty)


def enum(name: str, header: str, allowed: tuple[str, ...], *aliases: str) -> Column:
    return Column(name, (header, *aliases), Kind.ENUM, nonempty=True, allowed=allowed)


def date(name: str, *headers: str, nonempty: bool = False) -> Column:
    return Column(name, headers, Kind.DATE, nonempty=nonempty)


def month(name: str, *headers: str) -> Column:
    return Column(name, headers, Kind.MONTH, nonempty=True)


def yuan(name: str, *headers: str, nonempty: bool = True) -> Column:
    return Column(name, headers, Kind.YUAN, nonempty=nonempty)


HUKOU_STATUS = ("正常", "死亡注销", "迁出注销")
ENTERPRISE_ROLES = ("法定代表人", "投资人", "董事", "监事", "高级管理人员", "个体工商户经营者")
DISABILITY_GRADES = ("一级", "二级", "三级", "四级")  # GB/T 26341-2010 grades, as registry.vocab

# --- the 19 feeds of DATA_CONTRACTS §2 -----------------------------------------------------------
FEEDS: dict[str, Feed] = {
    f.id: f
    for f in (
        Feed(
            "hukou",
            "公安",
            "户籍",
            (
                person_id(),
                person_name(),
                text("household_ref", "户号"),
                text("relation", "与户主关系"),
                text("division_code", "户籍地区划代码", "区划代码"),
                enum("status", "户籍状态", HUKOU_STATUS),
                date("cancelled_on", "注销日期"),
            ),
            AsOf.SNAPSHOT,
            "公安户籍登记",
            "户号 {household_ref}，{relation}，户籍状态 {status}，注销日期 {cancelled_on}",
        ),
        Feed(
            "vehicle",
            "公安",
            "车辆",
            (
                person_id(),
                person_name(),
                text("plate", "号牌号码", "车牌号码", "车牌号"),
                text("vehicle_type", "车辆类型"),
                date("registered_on", "初次登记日期"),
                yuan("value_fen", "车辆价值", nonempty=False),
            ),
            AsOf.SNAPSHOT,
            "名下登记有机动车",
            "{plate}，{vehicle_type}，初次登记 {registered_on}，车辆价值 {value_fen}",
        ),
        Feed(
            "cremation",
            "民政",
            "殡葬（遗体火化）",
            (person_id(), person_name(), date("died_on", "死亡日期", nonempty=True), date("cremated_on", "火化日期")),
            AsOf.SNAPSHOT,
            "殡葬系统有遗体火化记录",
            "死亡日期 {died_on}，火化日期 {cremated_on}",
        ),
        Feed(
            "death",
            "卫健",
            "死亡医学证明",
            (person_id(), person_name(), date("died_on", "死亡日期", nonempty=True)),
            AsOf.SNAPSHOT,
            "卫健部门出具了死亡医学证明",
            "死亡日期 {died_on}",
        ),
        Feed(
            "marriage",
            "民政",
            "婚姻登记",
            (
                Column("id_number", ("男方身份号码", "男方公民身份号码"), Kind.ID, label="男方身份号码"),
                Column("spouse_id_number", ("女方身份号码", "女方公民身份号码"), Kind.ID, label="女方身份号码"),
                enum("kind", "登记类型", ("结婚", "离婚"), "登记种类"),
                date("registered_on", "登记日期", nonempty=True),
            ),
            AsOf.SNAPSHOT,
            "民政婚姻登记记录",
            "{kind}，登记日期 {registered_on}",
            has_name=False,
        ),
        Feed(
            "social_insurance",
            "人社",
            "社保缴费",
            (
                person_id(),
                person_name(),
                text("employer", "单位名称"),
                yuan("base_fen", "缴费基数"),
                month("period", "缴费年月"),
            ),
            AsOf.MONTHLY,
            "人社部门有社会保险缴费记录",
            "{period}，{employer}，缴费基数 {base_fen}",
            period="period",
        ),
        Feed(
            "pension",
            "人社",
            "养老金发放",
            (
                person_id(),
                person_name(),
                text("scheme", "险种"),
                yuan("amount_fen", "月发放金额"),
                month("period", "发放年月"),
            ),
            AsOf.MONTHLY,
            "领取养老金",
            "{period}，{scheme}，月发放 {amount_fen}",
            period="period",
        ),
        Feed(
            "unemployment",
            "人社",
            "失业金",
            (person_id(), person_name(), yuan("amount_fen", "月发放金额"), month("period", "发放年月")),
            AsOf.MONTHLY,
            "领取失业保险金",
            "{period}，月发放 {amount_fen}",
            period="period",
        ),
        Feed(
            "real_estate",
            "不动产登记",
            "不动产登记",
            (
                person_id("权利人身份号码"),
                person_name("权利人姓名"),
                text("unit_no", "不动产单元号"),
                text("location", "坐落"),
                Column("area_m2", ("建筑面积", "建筑面积(平方米)", "建筑面积(㎡)"), Kind.AREA),
                text("use", "规划用途", "用途"),
                date("registered_on", "登记日期"),
            ),
            AsOf.SNAPSHOT,
            "名下登记有不动产",
            "{location}，{use}，建筑面积 {area_m2}，登记日期 {registered_on}",
        ),
        Feed(
            "enterprise",
            "市场监管",
            "企业登记",
            (
                person_id("身份号码"),
                person_name(),
                text("uscc", "统一社会信用代码"),
                text("company", "企业名称", "市场主体名称"),
                enum("role", "角色", ENTERPRISE_ROLES, "职务"),
                Column("capital_fen", ("认缴出资额(万元)", "认缴出资额"), Kind.WANYUAN, label="认缴出资额(万元)"),
                text("reg_status", "登记状态"),
            ),
            AsOf.SNAPSHOT,
            "市场监管部门登记为企业相关人员",
            "{company}，{role}，认缴出资额 {capital_fen}，{reg_status}",
        ),
        Feed(
            "tax",
            "税务",
            "个人所得",
            (
                person_id("身份号码"),
                person_name(),
                text("item", "所得项目"),
                yuan("income_fen", "收入额"),
                month("period", "税款所属期"),
            ),
            AsOf.MONTHLY,
            "税务部门有申报收入",
            "{period}，{item}，收入额 {income_fen}",
            period="period",
        ),
        Feed(
            "housing_fund",
            "住房公积金",
            "公积金缴存",
            (
                person_id("身份号码"),
                person_name(),
                yuan("monthly_fen", "月缴存额"),
                month("period", "缴存年月"),
                yuan("balance_fen", "账户余额", nonempty=False),
            ),
            AsOf.MONTHLY,
            "有住房公积金缴存记录",
            "{period}，月缴存 {monthly_fen}，账户余额 {balance_fen}",
            period="period",
        ),
        Feed(
            "public_payroll",
            "财政",
            "财政供养人员",
            (person_id("身份号码"), person_name(), text("employer", "单位名称"), text("category", "人员类别")),
            AsOf.SNAPSHOT,
            "属于财政供养人员",
            "{employer}，{category}",
        ),
        Feed(
            "deposit",
            "银行",
            "存款",
            (
                person_id("身份号码"),
                person_name(),
                text("institution", "机构名称", "银行名称"),
                yuan("balance_fen", "余额", "存款余额"),
                date("queried_on", "查询日期"),
            ),
            AsOf.QUERY,
            "银行存款",
            "{institution}，余额 {balance_fen}，查询日期 {queried_on}",
        ),
        Feed(
            "securities",
            "证券",
            "证券资产",
            (
                person_id("身份号码"),
                person_name(),
                yuan("market_value_fen", "资产市值", "市值"),
                date("queried_on", "查询日期"),
            ),
            AsOf.QUERY,
            "持有证券资产",
            "资产市值 {market_value_fen}，查询日期 {queried_on}",
        ),
        Feed(
            "medical",
            "医保",
            "医保结算",
            (
                person_id("身份号码"),
                person_name(),
                date("settled_on", "结算日期", nonempty=True),
                yuan("total_fen", "医疗总费用"),
                yuan("fund_fen", "统筹支付"),
                yuan("self_fen", "个人自付"),
            ),
            AsOf.SNAPSHOT,
            "有医保结算记录",
            "{settled_on}，医疗总费用 {total_fen}，统筹支付 {fund_fen}，个人自付 {self_fen}",
        ),
        Feed(
            "disability",
            "残联",
            "残疾人证",
            (
                person_id("身份号码"),
                person_name(),
                text("category", "残疾类别"),
                enum("grade", "残疾等级", DISABILITY_GRADES),
            ),
            AsOf.SNAPSHOT,
            "持有残疾人证",
            "{category}{grade}",
        ),
        Feed(
            "student",
            "教育",
            "在校生",
            (
                person_id("身份号码"),
                person_name(),
                text("school", "学校名称"),
                text("stage", "学段"),
                text("status", "在校状态", "学籍状态"),
            ),
            AsOf.SNAPSHOT,
            "教育部门登记为在校生",
            "{school}，{stage}，{status}",
        ),
        Feed(
            "prison",
            "司法",
            "服刑人员",
            (
                person_id("身份号码"),
                person_name(),
                date("admitted_on", "入监日期", nonempty=True),
                date("release_on", "预计刑满日期"),
            ),
            AsOf.SNAPSHOT,
            "司法部门登记为服刑人员",
            "入监日期 {admitted_on}，预计刑满日期 {release_on}",
        ),
    )
}


def feed_get(feed_id: str) -> Feed:
    try:
        return FEEDS[feed_id]
    except KeyError:
        raise KeyError(f"未知的部门数据类型“{feed_id}”；可用：{'、'.join(FEEDS)}") from None
