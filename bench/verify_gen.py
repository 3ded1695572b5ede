"""Generated data for bench/verify_bench.py: N households in 10 Zhejiang counties and the 19 department
feeds of DATA_CONTRACTS §2 as CSV with the contract's Chinese headers (vectorised, numpy + Polars).

Volume is where it is in real life: most persons have 12 months of 社保缴费, 养老金发放 or 税务 rows;
at a million households the feeds hold about 38 million rows.
"""

from __future__ import annotations

import datetime as dt
import hmac
import sys
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minzheng.demo.feeds import HEADERS

AS_OF = dt.date(2026, 11, 1)
COUNTIES = ("330102", "330105", "330106", "330108", "330110", "330203", "330205", "330206", "330211", "330212")
MONTHS = 12  # monthly feeds cover the year before the as-of date (the income window is the last 6)
DIGEST_KEY = b"minzheng-bench-hmac-key"
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅飞鹏斌宇浩凯欣怡子涵雨轩梓晨思")
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK = np.array(list("10X98765432"))


# --- 1. generation --------------------------------------------------------------------------------


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    return (values[:, None] // (10 ** np.arange(width - 1, -1, -1))) % 10


def id_numbers(area: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """GB 11643 numbers, check digit included, for arrays of area codes, birth dates and 顺序码."""
    ymd = birth.astype("datetime64[D]").astype(object)
    born = np.array([d.year * 10000 + d.month * 100 + d.day for d in ymd], dtype=np.int64)
    digits = np.hstack([_digits(area, 6), _digits(born, 8), _digits(seq, 3)])
    check = CHECK[(digits * WEIGHTS).sum(axis=1) % 11]
    return np.char.add(
        np.char.add(np.char.add(area.astype(str), born.astype(str)), np.char.zfill(seq.astype(str), 3)), check
    )


def population(households: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    size = rng.choice(np.arange(1, 7), size=households, p=[0.15, 0.25, 0.25, 0.2, 0.1, 0.05])
    county = rng.integers(0, len(COUNTIES), households)
    village = np.char.add(
        np.array(COUNTIES)[county],
        np.char.add(rng.integers(100, 118, households).astype(str), rng.integers(200, 240, households).astype(str)),
    )
    hh = np.repeat(np.arange(households), size)
    pos = np.arange(len(hh)) - np.repeat(np.cumsum(size) - size, size)
    n = len(hh)
    age = np.where(pos < 2, rng.integers(25, 95, n), rng.integers(0, 45, n))
    birth = np.datetime64(AS_OF.isoformat()) - (age * 365.25 + rng.integers(1, 364, n)).astype("timedelta64[D]")
    male = np.where(pos == 0, rng.random(n) < 0.9, np.where(pos == 1, rng.random(n) < 0.1, rng.random(n) < 0.5))
    own = rng.random(n) < 0.9
    area = np.where(
        own, np.array(COUNTIES, dtype=np.int64)[county[hh]], rng.choice(np.array(COUNTIES, dtype=np.int64), n)
    )
    seq = rng.integers(0, 500, n) * 2 + male.astype(np.int64)
    names = np.char.add(
        np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)],
        np.char.add(
            np.array(GIVEN)[rng.integers(0, len(GIVEN), n)],
            np.array(GIVEN + [""] * 20)[rng.integers(0, len(GIVEN) + 20, n)],
        ),
    )
    relation = np.select([pos == 0, pos == 1], ["户主", "配偶"], np.where(age < 45, "子", "其他"))
    df = pl.DataFrame(
        {
            "id_number": id_numbers(area, birth, seq),
            "name": names,
            "household_no": np.char.add("H", np.char.zfill((hh + 1).astype(str), 9)),
            "division_code": village[hh],
            "birth_date": birth.astype("datetime64[D]"),
            "relation": relation,
            "age": age,
        }
    )
    return df.unique(subset="id_number", keep="first", maintain_order=True)


def _yuan(fen: pl.Expr) -> pl.Expr:
    return pl.concat_str([(fen // 100).cast(pl.String), pl.lit("."), (fen % 100).cast(pl.String).str.zfill(2)])


def _sample(df: pl.DataFrame, share: float, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return df.filter(pl.Series(rng.random(df.height) < share))


def _pick(df: pl.DataFrame, *columns: str | pl.Expr) -> pl.DataFrame:
    """Select the feed's columns in order under positional names (literals and repeats are fine)."""
    exprs = [(pl.col(c) if isinstance(c, str) else c).alias(f"c{i}") for i, c in enumerate(columns)]
    return df.select(exprs)


def _months(fmt: str) -> pl.DataFrame:
    days, y, m = [], AS_OF.year, AS_OF.month
    for _ in range(MONTHS):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        days.append(f"{y}{m:02d}" if fmt == "%Y%m" else f"{y}-{m:02d}")
    return pl.DataFrame({"month": days})


def _money(rng: np.random.Generator, n: int, low: int, high: int) -> pl.Series:
    return pl.Series(rng.integers(low * 100, high * 100, n))


def _date_back(rng: np.random.Generator, n: int, low: int, high: int) -> pl.Series:
    base = np.datetime64(AS_OF.isoformat())
    return pl.Series((base - rng.integers(low, high, n).astype("timedelta64[D]")).astype(str))


def feeds(people: pl.DataFrame, seed: int) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed + 1)
    adults = people.filter((pl.col("age") >= 18) & (pl.col("age") < 60))
    elders = people.filter(pl.col("age") >= 60)
    out: dict[str, pl.DataFrame] = {}
    dead = _sample(elders, 0.012, seed + 2)
    died = dead.select("id_number", "name", died=_date_back(rng, dead.height, 10, 330))
    cancelled = _sample(died, 0.7, seed + 3)
    hukou = people.join(cancelled.select("id_number", "died"), on="id_number", how="left")
    out["hukou"] = _pick(
        hukou,
        "id_number",
        "name",
        "household_no",
        "relation",
        "division_code",
        pl.when(pl.col("died").is_null()).then(pl.lit("正常")).otherwise(pl.lit("死亡注销")),
        pl.col("died").fill_null(""),
    )
    out["death"] = _pick(_sample(died, 0.95, seed + 4), "id_number", "name", "died")
    out["cremation"] = _pick(_sample(died, 0.9, seed + 5), "id_number", "name", "died", "died")
    v = _sample(adults, 0.25, seed + 6)
    out["vehicle"] = _pick(
        v,
        "id_number",
        "name",
        pl.concat_str([pl.lit("浙A"), pl.Series(rng.integers(10000, 99999, v.height)).cast(pl.String)]),
        pl.lit("小型轿车"),
        _date_back(rng, v.height, 30, 3000),
        _yuan(_money(rng, v.height, 8000, 260000)),
    )
    si = _sample(adults, 0.7, seed + 7)
    si = si.with_columns(base=_money(rng, si.height, 4462, 20000) // 100 * 100)
    out["social_insurance"] = _pick(
        si.join(_months("%Y%m"), how="cross"),
        "id_number",
        "name",
        pl.lit("宁波市某某有限公司"),
        _yuan(pl.col("base")),
        "month",
    )
    pe = _sample(elders, 0.9, seed + 8)
    pe = pe.with_columns(amount=_money(rng, pe.height, 280, 6500))
    out["pension"] = _pick(
        pe.join(_months("%Y%m"), how="cross"),
        "id_number",
        "name",
        pl.lit("城镇职工基本养老保险"),
        _yuan(pl.col("amount")),
        "month",
    )
    tx = _sample(adults, 0.35, seed + 9)
    tx = tx.with_columns(income=_money(rng, tx.height, 3000, 25000))
    out["tax"] = _pick(
        tx.join(_months("%Y-%m"), how="cross"),
        "id_number",
        "name",
        pl.lit("工资薪金所得"),
        _yuan(pl.col("income")),
        "month",
    )
    hf = _sample(adults, 0.12, seed + 10)
    hf = hf.with_columns(monthly=_money(rng, hf.height, 300, 3000), balance=_money(rng, hf.height, 1000, 200000))
    out["housing_fund"] = _pick(
        hf.join(_months("%Y%m"), how="cross"),
        "id_number",
        "name",
        _yuan(pl.col("monthly")),
        "month",
        _yuan(pl.col("balance")),
    )
    un = _sample(adults, 0.01, seed + 11)
    out["unemployment"] = _pick(
        un.join(_months("%Y%m").head(6), how="cross"), "id_number", "name", pl.lit("1827.00"), "month"
    )
    heads = people.filter((pl.col("relation") == "户主") & (pl.col("age") >= 25))
    re_ = _sample(heads, 0.55, seed + 12)
    out["real_estate"] = _pick(
        re_,
        "id_number",
        "name",
        pl.concat_str(
            [
                pl.col("division_code"),
                pl.lit("GB"),
                pl.Series(rng.integers(10000, 99999, re_.height)).cast(pl.String),
                pl.lit("F00010001"),
            ]
        ),
        pl.concat_str([pl.col("division_code"), pl.lit("某小区1幢101室")]),
        pl.Series(rng.integers(4000, 16000, re_.height) / 100).cast(pl.String),
        pl.lit("住宅"),
        _date_back(rng, re_.height, 100, 7000),
    )
    en = _sample(adults, 0.03, seed + 13)
    out["enterprise"] = _pick(
        en,
        "id_number",
        "name",
        pl.lit("91330212MA2AAAAA0X"),
        pl.lit("宁波某某科技有限公司"),
        pl.lit("投资人"),
        pl.lit("10"),
        pl.lit("存续"),
    )
    pp = _sample(adults, 0.02, seed + 14)
    out["public_payroll"] = _pick(pp, "id_number", "name", pl.lit("某某局"), pl.lit("事业编制人员"))
    dp = _sample(people.filter(pl.col("age") >= 18), 0.35, seed + 15)
    out["deposit"] = _pick(
        dp,
        "id_number",
        "name",
        pl.lit("中国农业银行"),
        _yuan(_money(rng, dp.height, 100, 300000)),
        pl.lit(AS_OF.isoformat()),
    )
    se = _sample(adults, 0.05, seed + 16)
    digests = [hmac.new(DIGEST_KEY, n.encode(), "sm3").hexdigest() for n in se["id_number"].to_list()]
    out["securities"] = _pick(
        se, pl.Series(digests), "name", _yuan(_money(rng, se.height, 1000, 500000)), pl.lit(AS_OF.isoformat())
    )
    md = _sample(people, 0.08, seed + 17)
    total = _money(rng, md.height, 200, 50000)
    out["medical"] = _pick(
        md,
        "id_number",
        "name",
        _date_back(rng, md.height, 1, 365),
        _yuan(total),
        _yuan(total // 2),
        _yuan(total - total // 2),
    )
    out["disability"] = _pick(_sample(people, 0.05, seed + 18), "id_number", "name", pl.lit("肢体"), pl.lit("二级"))
    st = people.filter((pl.col("age") >= 6) & (pl.col("age") <= 22))
    out["student"] = _pick(st, "id_number", "name", pl.lit("某某学校"), pl.lit("初中"), pl.lit("在校"))
    pr = _sample(adults.filter(pl.col("age") < 50), 0.002, seed + 19)
    out["prison"] = _pick(pr, "id_number", "name", _date_back(rng, pr.height, 30, 1500), pl.lit("2029-01-01"))
    couples = (
        people.filter(pl.col("relation").is_in(["户主", "配偶"]))
        .group_by("household_no")
        .agg(pl.col("id_number"))
        .filter(pl.col("id_number").list.len() == 2)
    )
    wed = _sample(couples, 0.05, seed + 20)
    out["marriage"] = _pick(
        wed,
        pl.col("id_number").list.get(0),
        pl.col("id_number").list.get(1),
        pl.lit("结婚"),
        _date_back(rng, wed.height, 400, 3000),
    )
    return out


def generate(households: int, seed: int, root: Path) -> tuple[int, int, dict[str, int]]:
    people = population(households, seed)
    root.mkdir(parents=True, exist_ok=True)
    people.select("id_number", "name", "household_no", "division_code", "birth_date").write_parquet(
        root / "members.parquet"
    )
    (root / "feeds").mkdir(exist_ok=True)
    written = {}
    for feed_id, frame in feeds(people, seed).items():
        frame.columns = HEADERS[feed_id]
        frame.write_csv(root / "feeds" / f"{feed_id}_{AS_OF}.csv")
        written[feed_id] = frame.height
    return people["household_no"].n_unique(), people.height, written
