"""Identity matching of a feed snapshot's rows to registry persons (Django-free).

Three tiers, in order (docs/notes/verification-contract.md, "Matching output"):

1. ``id``: the normalised 18-digit number equals a registry number. Acts automatically.
2. ``digest``: the feed delivers 身份号码摘要 (HMAC-SM3 of the normalised number under the
   key agreed between the two offices); it equals the digest of a registry number. Acts
   automatically.
3. ``splink``: the residue (no number, an invalid one, or a valid one unknown to the
   registry, and digests that match nobody) is linked by Splink (DuckDB backend) on the
   pinyin name, the birth date read from the raw number, the raw number's similarity to the
   registry number and, when the feed has one, the division code. These are *candidates*: a
   核对中心 user must confirm them before they count.

The Splink model uses fixed, documented m/u probabilities rather than EM training: the
residue of one delivery is small (a few % of the rows), EM on it is unstable, and fixed
parameters make the weights the same from one run to the next, which a review queue needs.
Term-frequency adjustment on the name (hanzi and pinyin) makes a rare name count for more
than 张伟. The prior is one true partner among all registry persons.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from minzheng.core.idnumber import check_digit, clean
from minzheng.verification.engine.pinyin import clean_name, name_pinyin

if TYPE_CHECKING:  # splink loads lazily (it is slow to import); its classes are only annotations here
    from splink.internals.comparison_creator import ComparisonCreator
    from splink.internals.comparison_level_creator import ComparisonLevelCreator

LINK_SCHEMA = pa.schema(
    [
        ("feed", pa.string()),
        ("as_of", pa.date32()),
        ("_row", pa.int64()),
        ("person_id_number", pa.string()),
        ("match_weight", pa.float64()),
        ("match_probability", pa.float64()),
        ("method", pa.string()),
        ("evidence", pa.string()),  # Chinese, comma-separated: which facts agreed (Splink rows only)
    ]
)
# A Splink pair is kept as a candidate from this weight up (log2 odds including the prior of one
# partner among all registry persons): about 1:16. A row with nothing but a unique, exactly equal
# name scores about -1.1 (odds 1:2) whatever the county's size, and is worth a reviewer's look; a
# name that agrees while the number and the birth date disagree scores below -10.
DEFAULT_THRESHOLD_WEIGHT = -4.0
TOP_CANDIDATES = 3  # per residue row: a reviewer compares a few people, not a list of fifty


@dataclass
class MatchResult:
    links: pa.Table  # LINK_SCHEMA
    rows: int
    residue: int
    seconds: dict[str, float] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        methods = self.links.column("method").to_pylist()
        splink_rows = set(pc.filter(self.links, pc.equal(self.links["method"], "splink"))["_row"].to_pylist())
        return {
            "rows": self.rows,
            "id": methods.count("id"),
            "digest": methods.count("digest"),
            "residue": self.residue,
            "splink_candidates": methods.count("splink"),
            "splink_rows": len(splink_rows),
        }


def digest(id_number: str, key: bytes) -> str:
    """身份号码摘要 (DATA_CONTRACTS §2): HMAC-SM3 of the normalised number, lower-case hex."""
    return hmac.new(key, id_number.encode(), "sm3").hexdigest()


def match_snapshot(
    rows: pa.Table,
    registry: pa.Table,
    *,
    feed: str,
    as_of: dt.date,
    digest_key: bytes | None = None,
    threshold_weight: float = DEFAULT_THRESHOLD_WEIGHT,
) -> MatchResult:
    """Link `rows` (snapshot columns: _row, id_number, id_raw, id_digest, name[, division_code]) to
    `registry` (id_number, name, birth_date, sex, division_code)."""
    started, seconds = time.perf_counter(), {}
    rows = _with_columns(rows)
    known = registry.column("id_number")
    by_id = pc.fill_null(pc.is_in(rows["id_number"], value_set=known), False)
    links = [_exact(rows.filter(by_id), feed, as_of, "id", rows.filter(by_id)["id_number"])]
    rest = rows.filter(pc.invert(by_id))
    has_digest = pc.invert(pc.is_null(rest["id_digest"]))
    if digest_key is not None and pc.any(has_digest).as_py():
        digested, rest = _digest_links(rest, registry, feed, as_of, digest_key)
        links.append(digested)
    seconds["exact"] = time.perf_counter() - started
    if rest.num_rows and registry.num_rows:
        tick = time.perf_counter()
        links.append(splink_candidates(rest, registry, feed=feed, as_of=as_of, threshold_weight=threshold_weight))
        seconds["splink"] = time.perf_counter() - tick
    seconds["total"] = time.perf_counter() - started
    return MatchResult(pa.concat_tables(links), rows.num_rows, rest.num_rows, seconds)


def _with_columns(rows: pa.Table) -> pa.Table:
    """Optional columns a feed may lack (marriage has no name; most feeds have no division)."""
    if "division_code" not in rows.column_names and "unit_no" in rows.column_names:
        # 不动产单元号 (GB/T 37346) opens with the 12-digit 地籍区/子区 code, laid out on the 区划 code.
        unit = pc.utf8_slice_codeunits(rows["unit_no"], 0, 12)
        rows = rows.append_column("division_code", pc.if_else(pc.match_substring_regex(unit, r"^\d{12}$"), unit, None))
    for name in ("id_number", "id_raw", "id_digest", "name", "division_code"):
        if name not in rows.column_names:
            rows = rows.append_column(name, pa.nulls(rows.num_rows, pa.string()))
    return rows


def _exact(rows: pa.Table, feed: str, as_of: dt.date, method: str, persons: Any) -> pa.Table:
    n = rows.num_rows
    return pa.table(
        {
            "feed": pa.array([feed] * n, pa.string()),
            "as_of": pa.array([as_of] * n, pa.date32()),
            "_row": rows["_row"].cast(pa.int64()),
            "person_id_number": persons,
            "match_weight": pa.nulls(n, pa.float64()),  # not a probabilistic link: no weight
            "match_probability": pa.array([1.0] * n, pa.float64()),
            "method": pa.array([method] * n, pa.string()),
            "evidence": pa.nulls(n, pa.string()),
        },
        schema=LINK_SCHEMA,
    )


def _digest_links(
    rows: pa.Table, registry: pa.Table, feed: str, as_of: dt.date, key: bytes
) -> tuple[pa.Table, pa.Table]:
    """Digest every registry number once (about 1 µs each) and join on it."""
    numbers = registry.column("id_number").to_pylist()
    digests = pa.array([digest(n, key) for n in numbers], pa.string())
    wanted = pc.utf8_lower(pc.utf8_trim_whitespace(rows["id_digest"]))
    index = pc.index_in(wanted, value_set=digests)
    hit = pc.invert(pc.is_null(index))
    persons = pc.take(pa.array(numbers, pa.string()), index.filter(hit))
    return _exact(rows.filter(hit), feed, as_of, "digest", persons), rows.filter(pc.invert(hit))


# --- Splink tier --------------------------------------------------------------------------


def raw_number_features(raw: str | None, as_of: dt.date) -> tuple[str | None, str | None]:
    """(18-character form for similarity, birth date YYYYMMDD) from a number that failed validation.

    15-digit numbers are upgraded (19 inserted, check digit computed); the birth date is kept only
    when its eight digits form a real date between 1880 and the as-of date (a typo in the date part
    must not be trusted as a date).
    """
    text = clean(raw)
    if len(text) == 15 and text.isdigit():
        text = text[:6] + "19" + text[6:]
        text += check_digit(text)
    if not 14 <= len(text) <= 19:
        return None, None
    return text, _plausible_birth(text[6:14], as_of)


def _plausible_birth(digits: str, as_of: dt.date) -> str | None:
    try:
        born = dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    return digits if dt.date(1880, 1, 1) <= born <= as_of else None


def _pinyin_columns(names: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(cleaned name, surname pinyin, full pinyin), computed once per distinct name."""
    names = pc.fill_null(names, "")
    distinct = pc.unique(names)
    cleaned = [clean_name(n) for n in distinct.to_pylist()]
    readings = [name_pinyin(n) for n in cleaned]
    index = pc.index_in(names, value_set=distinct)

    def spread(values: list[str]) -> pa.Array:
        return pc.take(pa.array([v or None for v in values], pa.string()), index)

    return spread(cleaned), spread([r[0] for r in readings]), spread([r[1] for r in readings])


def feed_features(rows: pa.Table, as_of: dt.date) -> pa.Table:
    """The residue rows as Splink's left table."""
    numbers, births = [], []
    for valid, raw in zip(rows["id_number"].to_pylist(), rows["id_raw"].to_pylist(), strict=True):
        id18, born = (valid, valid[6:14]) if valid else raw_number_features(raw, as_of)
        numbers.append(id18)
        births.append(born)
    name, surname, full = _pinyin_columns(rows["name"])
    division = rows["division_code"]
    return pa.table(
        {
            "unique_id": pc.cast(rows["_row"], pa.string()),
            "name": name,
            "name_py": full,
            "surname_py": surname,
            "id18": pa.array(numbers, pa.string()),
            "birth": pa.array(births, pa.string()),
            "division": pc.if_else(pc.equal(pc.utf8_length(division), 12), division, None),
        }
    )


def registry_features(registry: pa.Table) -> pa.Table:
    """Registry persons as Splink's right table (birth date as YYYYMMDD text, like the feed side)."""
    name, surname, full = _pinyin_columns(registry["name"])
    births = pc.strftime(registry["birth_date"].cast(pa.timestamp("s")), format="%Y%m%d")
    return pa.table(
        {
            "unique_id": registry["id_number"],
            "name": name,
            "name_py": full,
            "surname_py": surname,
            "id18": registry["id_number"],
            "birth": births,
            "division": registry["division_code"],
        }
    )


# m = P(level | same person) for a residue row; u = P(level | two random persons), per level, from the
# most to the least specific. Sources of the numbers: the demo feeds' error mix (feedrows.mess: 2 % no
# number, 1 % wrong check digit, 2 % homophone), GB 11643 (one substituted digit always breaks the
# check digit, so a number one edit away is strong evidence) and the research measurements
# (anchors-verification.md §C: same pinyin ≈ 6×10³, exact name ≈ 6×10⁴ Bayes factor before term-
# frequency adjustment). TF replaces u of an exact (pinyin) name with that name's share of all names.
LEVELS: dict[str, list[tuple[str, str, float, float]]] = {
    # comparison: [(level: "exact:<column>", "jw:", "dl1:", "dl2:", "else" or SQL, Chinese label, m, u)]
    "name": [
        ("exact:name", "姓名一致", 0.90, 0.0005),
        ("exact:name_py", "姓名同音", 0.07, 0.001),
        ("jw:name_py", "姓名拼音相近", 0.02, 0.01),
        ("else", "姓名不同", 0.01, 0.9885),
    ],
    "birth": [
        ("exact:birth", "出生日期一致", 0.93, 4e-5),
        ("dl1:birth", "出生日期差一位", 0.05, 2e-3),
        ("else", "出生日期不同", 0.02, 0.998),
    ],
    "id": [
        ("substr(id18_l, 1, 17) = substr(id18_r, 1, 17)", "身份号码前17位一致（校验位错）", 0.45, 1e-8),
        ("dl1:id18", "身份号码差一位或两位对调", 0.35, 5e-7),
        ("dl2:id18", "身份号码差两处", 0.15, 2e-5),
        ("else", "身份号码不同", 0.05, 0.99998),
    ],
    "division": [
        ("exact:division", "村（社区）一致", 0.70, 0.003),
        ("substr(division_l, 1, 9) = substr(division_r, 1, 9)", "同一乡镇", 0.15, 0.06),
        ("else", "区划不同", 0.15, 0.937),
    ],
}
NULL_COLUMN = {"name": "name", "birth": "birth", "id": "id18", "division": "division"}
TF_COLUMNS = {"exact:name", "exact:name_py"}


def _level(spec: str, label: str, m: float, u: float) -> Any:
    from splink import comparison_level_library as cll

    kind, _, column = spec.partition(":")
    level: ComparisonLevelCreator
    if spec == "else":
        level = cll.ElseLevel()
    elif kind == "exact":
        level = cll.ExactMatchLevel(column, term_frequency_adjustments=spec in TF_COLUMNS)
    elif kind == "jw":
        level = cll.JaroWinklerLevel(column, 0.9)
    elif kind in ("dl1", "dl2"):
        level = cll.DamerauLevenshteinLevel(column, int(kind[2]))
    else:
        level = cll.CustomLevel(spec)
    return level.configure(m_probability=m, u_probability=u, label_for_charts=label)


def _settings(registry_size: int) -> Any:
    from splink import SettingsCreator, block_on
    from splink import comparison_level_library as cll
    from splink import comparison_library as cl

    comparisons: list[ComparisonCreator | dict[str, Any]] = [
        cl.CustomComparison(
            [cll.NullLevel(NULL_COLUMN[key]), *(_level(*spec) for spec in specs)], output_column_name=key
        )
        for key, specs in LEVELS.items()
    ]
    return SettingsCreator(
        link_type="link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("name_py"),  # rows without a number: homophones agree on pinyin
            block_on("surname_py", "birth"),  # a wrong number whose date part is right
            block_on("substr(id18, 1, 17)"),  # a wrong check digit
            block_on("surname_py", "substr(id18, 15, 4)"),  # a typo in the date part: the tail survives
        ],
        probability_two_random_records_match=1.0 / max(registry_size, 1),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,  # the per-comparison weights (mw_*) explain a pair
    )


def _label_of(key: str, weight: float | None) -> str | None:
    """The level a pair reached, recovered from its per-comparison weight log2(m/u) (unique per level)."""
    if weight is None or abs(weight) < 1e-9:
        return None  # null level: a side lacks the fact
    for _, label, m, u in LEVELS[key]:
        if abs(math.log2(m / u) - weight) < 1e-6:
            return label
    return None


def splink_candidates(
    rows: pa.Table, registry: pa.Table, *, feed: str, as_of: dt.date, threshold_weight: float
) -> pa.Table:
    """Score the residue against the registry with Splink; keep the best few pairs above the threshold."""
    from splink import Linker
    from splink.backends.duckdb import DuckDBAPI

    left = feed_features(rows, as_of)
    left = left.filter(pc.invert(pc.and_(pc.is_null(left["name"]), pc.is_null(left["id18"]))))
    if left.num_rows == 0:
        return LINK_SCHEMA.empty_table()
    con = duckdb.connect()
    try:
        db_api = DuckDBAPI(connection=con)
        frames = [
            db_api.register(left, table_name="feed_rows"),
            db_api.register(registry_features(registry), table_name="registry_persons"),
        ]
        linker = Linker(frames, _settings(registry.num_rows), log_level=logging.WARNING)
        scored = linker.inference.predict(threshold_match_weight=threshold_weight, warning_mode="never")
        best = con.sql(_best_sql(scored.physical_name)).to_arrow_table()
    finally:
        con.close()
    return _splink_links(best, feed, as_of)


def _best_sql(table: str) -> str:
    # Orient every pair feed → registry (Splink puts the lexically lower source on the left).
    # `table` is Splink's own generated table name, never user input.
    return f"""
        with oriented as (
            select
                case when source_dataset_l = 'feed_rows' then unique_id_l else unique_id_r end as row_id,
                case when source_dataset_l = 'feed_rows' then unique_id_r else unique_id_l end as person,
                match_weight, match_probability,
                mw_name, mw_birth, mw_id, mw_division
            from {table}
        )
        select * from oriented
        qualify row_number() over (partition by row_id order by match_weight desc, person) <= {TOP_CANDIDATES}
        order by cast(row_id as bigint), match_weight desc, person
    """  # noqa: S608


def _splink_links(best: pa.Table, feed: str, as_of: dt.date) -> pa.Table:
    keys = list(LEVELS)
    evidence = [
        "，".join(label for key, w in zip(keys, weights, strict=True) if (label := _label_of(key, w)))
        for weights in zip(*(best[f"mw_{key}"].to_pylist() for key in keys), strict=True)
    ]
    n = best.num_rows
    weights = [round(w, 3) if math.isfinite(w) else w for w in best["match_weight"].to_pylist()]
    return pa.table(
        {
            "feed": pa.array([feed] * n, pa.string()),
            "as_of": pa.array([as_of] * n, pa.date32()),
            "_row": pc.cast(best["row_id"], pa.int64()),
            "person_id_number": best["person"],
            "match_weight": pa.array(weights, pa.float64()),
            "match_probability": best["match_probability"].cast(pa.float64()),
            "method": pa.array(["splink"] * n, pa.string()),
            "evidence": pa.array(evidence, pa.string()),
        },
        schema=LINK_SCHEMA,
    )
