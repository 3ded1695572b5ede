"""Department feed files (DATA_CONTRACTS §2) consistent with a generated county.

Reads the residents file back and writes one delivery per feed for one as-of
date, with the contract's exact headers, in the encodings offices really send:
most as UTF-8 with BOM, the 公安 feeds as GB18030, 不动产 as XLSX. The rows
themselves (and their deliberate mess) come from `feedrows`. Same seed and
as-of date → byte-identical files, XLSX included.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from minzheng.demo.feedrows import DIGEST_KEY, FeedRows, Resident, digest
from minzheng.demo.generator import division_names

__all__ = ["GB18030_FEEDS", "HEADERS", "XLSX_FEEDS", "digest", "feed_path", "write_feeds"]

HEADERS: dict[str, list[str]] = {
    "hukou": ["公民身份号码", "姓名", "户号", "与户主关系", "户籍地区划代码", "户籍状态", "注销日期"],
    "vehicle": ["公民身份号码", "姓名", "号牌号码", "车辆类型", "初次登记日期", "车辆价值"],
    "cremation": ["公民身份号码", "姓名", "死亡日期", "火化日期"],
    "death": ["公民身份号码", "姓名", "死亡日期"],
    "marriage": ["男方身份号码", "女方身份号码", "登记类型", "登记日期"],
    "social_insurance": ["公民身份号码", "姓名", "单位名称", "缴费基数", "缴费年月"],
    "pension": ["公民身份号码", "姓名", "险种", "月发放金额", "发放年月"],
    "unemployment": ["公民身份号码", "姓名", "月发放金额", "发放年月"],
    "real_estate": ["权利人身份号码", "权利人姓名", "不动产单元号", "坐落", "建筑面积", "规划用途", "登记日期"],
    "enterprise": ["身份号码", "姓名", "统一社会信用代码", "企业名称", "角色", "认缴出资额(万元)", "登记状态"],
    "tax": ["身份号码", "姓名", "所得项目", "收入额", "税款所属期"],
    "housing_fund": ["身份号码", "姓名", "月缴存额", "缴存年月", "账户余额"],
    "public_payroll": ["身份号码", "姓名", "单位名称", "人员类别"],
    "deposit": ["身份号码", "姓名", "机构名称", "余额", "查询日期"],
    # The contract's 身份号码 column delivered as its HMAC-SM3 digest (the digest variant).
    "securities": ["身份号码摘要", "姓名", "资产市值", "查询日期"],
    "medical": ["身份号码", "姓名", "结算日期", "医疗总费用", "统筹支付", "个人自付"],
    "disability": ["身份号码", "姓名", "残疾类别", "残疾等级"],
    "student": ["身份号码", "姓名", "学校名称", "学段", "在校状态"],
    "prison": ["身份号码", "姓名", "入监日期", "预计刑满日期"],
}
GB18030_FEEDS = {"hukou", "vehicle"}  # 公安 systems export GBK-family CSV
XLSX_FEEDS = {"real_estate"}
# Fixed timestamps inside the XLSX zip and its core properties, so the same seed gives the same bytes.
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def feed_path(out_dir: Path, feed_id: str, as_of: dt.date) -> Path:
    suffix = ".xlsx" if feed_id in XLSX_FEEDS else ".csv"
    return out_dir / f"{feed_id}_{as_of.isoformat()}{suffix}"


def read_residents(path: Path, as_of: dt.date) -> list[Resident]:
    out = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            number = r["公民身份号码"]
            born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            age = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
            tags = r["人员标签"]
            out.append(
                Resident(
                    r["姓名"],
                    number,
                    r["户编号"],
                    r["与户主关系"],
                    r["现住址区划代码"],
                    r["楼栋"],
                    r["房间"],
                    tags,
                    age,
                    "低保" in tags or "特困" in tags,
                )
            )
    return out


def write_feeds(
    residents_csv: Path, out_dir: Path, *, as_of: dt.date, seed: int, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Write every feed of DATA_CONTRACTS §2 for `as_of`, plus README.txt; returns rows per feed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    residents = read_residents(residents_csv, as_of)
    county = residents[0].household_no[:6] if residents else "330212"
    feeds = FeedRows(residents, as_of, seed, division_names(county))
    written = {}
    for feed_id, headers in HEADERS.items():
        rows = getattr(feeds, feed_id)()
        path = feed_path(out_dir, feed_id, as_of)
        if feed_id in XLSX_FEEDS:
            _write_xlsx(path, headers, rows)
        else:
            _write_csv(path, headers, rows, "gb18030" if feed_id in GB18030_FEEDS else "utf-8-sig")
        written[feed_id] = len(rows)
        if progress:
            progress(feed_id)
    (out_dir / "README.txt").write_text(_readme(as_of, written), encoding="utf-8")
    return written


def _write_csv(path: Path, headers: list[str], rows: list[list[str]], encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")  # what Excel and the departments' systems write
        writer.writerow(headers)
        writer.writerows(rows)


def _write_xlsx(path: Path, headers: list[str], rows: list[list[str]]) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    for row in [headers, *rows]:
        ws.append(row)  # every value is a str: identity numbers stay text cells
    buffer = io.BytesIO()
    wb.save(buffer)
    # openpyxl stamps the save time into docProps/core.xml and every zip entry: pin both.
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", data)
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=_ZIP_TIME), data, zipfile.ZIP_DEFLATED)


def _readme(as_of: dt.date, written: dict[str, int]) -> str:
    lines = [
        f"演示部门核对数据（数据时点 {as_of.isoformat()}），字段见 DATA_CONTRACTS §2。",
        "编码：hukou、vehicle 为 GB18030 编码 CSV；real_estate 为 XLSX（文本单元格）；其余为带 BOM 的 UTF-8 CSV。",
        "月度数据（social_insurance、pension、unemployment、tax、housing_fund）覆盖数据时点前 6 个月。",
        "金额单位为元（保留两位小数）；enterprise 的“认缴出资额(万元)”为万元。",
        "",
        "securities 不提供身份号码，而以“身份号码摘要”代替：",
        "  摘要 = HMAC-SM3(密钥, 18 位规范化身份号码的 ASCII 字节)，小写十六进制；",
        f"  双方约定的密钥（仅限演示）：{DIGEST_KEY.decode()}",
        "  Python：hmac.new(密钥.encode(), 号码.encode(), 'sm3').hexdigest()",
        "",
        "与真实交换数据一样，部分行有瑕疵：约 2% 缺身份号码，1% 校验位错误，少量为 15 位旧号码或带空格、小写 x，",
        "约 2% 的姓名写成同音字。这些行需按姓名、出生日期与住址匹配，并显示匹配权重。",
        "",
        "文件与行数：",
    ]
    lines += [f"  {feed_id}_{as_of.isoformat()}：{rows} 行" for feed_id, rows in written.items()]
    return "\n".join(lines) + "\n"
