"""One household in plain Python: the same persons, findings and totals as the Polars plans of
`evaluate`, for the 一键核对 path.

A household has a handful of rows in about 5 of the 19 feeds; Polars' cost is per operation, not per
row, and the plans of `evaluate` are ~500 operations, so one household paid ~40 ms for ~40 rows. Here
the same rules run over Python rows in well under a millisecond. `evaluate.evaluate` calls `evaluate`
below for small inputs and falls back to the Polars plans whenever this returns None: confirmed links
(their weights and tie-breaking stay with Polars), unexpected column types, floats whose text or sum
Polars might format or add differently. Texts come from the same pieces as facts.py and texts.py;
the tests compare both paths household by household (test_small_evaluate.py, test_batch.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from minzheng.verification.engine import small_texts as st
from minzheng.verification.engine.facts import MATCH_DOUBT, window
from minzheng.verification.engine.small_texts import Unsupported
from minzheng.verification.engine.texts import (
    ACTIVE_ENTERPRISE,
    BASE_COLUMNS,
    FEED_COLUMNS,
    FEED_ORDER,
    FLAGS,
    MEDICAL_WINDOW_DAYS,
    MONTHLY_FEEDS,
    WAGE_TAX_ITEMS,
)

MAX_MEMBERS = 64
MAX_ROWS = 4000
Row = dict[str, Any]
Columns = dict[str, list[Any]]


def evaluate(
    members: pa.Table, feeds: Mapping[str, pa.Table], as_of: dt.date, links: pa.Table | None
) -> tuple[Columns, Columns, Columns] | None:
    """(persons, findings, households) as columns in `evaluate`'s order, or None (use Polars)."""
    if members.num_rows > MAX_MEMBERS or (links is not None and links.num_rows):
        return None
    if sum(t.num_rows for t in feeds.values()) > MAX_ROWS:
        return None
    try:
        m = _Members(members)
        rows = {feed: _resolve(feed, feeds.get(feed), m, as_of) for feed in FEED_COLUMNS}
        found: list[Row] = []
        facts: dict[str, Row] = {pid: {} for pid in m.order}
        _income(rows, as_of, facts, found)
        _deceased(rows, as_of, facts, found)
        _assets(rows, facts, found)
        _status(rows, as_of, facts, found)
        _other(rows, as_of, found)
        persons = _persons(m, facts)
        households = _households(persons)
        st.round_areas(persons, households, [r for r in found if r["feed"] == "real_estate"], rows["real_estate"])
    except Unsupported:
        return None
    found.sort(key=lambda f: (m.order[f["id_number"]], FEED_ORDER[f["feed"]], f["feed_as_of"], f["_row"], f["kind"]))
    return _columns(persons), st.finding_columns(found), _columns(households)


# --- inputs -------------------------------------------------------------------------------------


class _Members:
    def __init__(self, members: pa.Table) -> None:
        ids = members.column("id_number").to_pylist()
        if any(not isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
            raise Unsupported
        self.ids = ids
        self.names = [None if n is None else str(n) for n in members.column("name").to_pylist()]
        self.households = [None if h is None else str(h) for h in members.column("household_no").to_pylist()]
        self.order = {pid: i for i, pid in enumerate(ids)}
        self.household = dict(zip(ids, self.households, strict=True))
        digests = members.column("id_digest").to_pylist() if "id_digest" in members.column_names else []
        self.by_digest = {d: pid for d, pid in zip(digests, ids, strict=False) if d is not None}
        if len(self.by_digest) != sum(d is not None for d in digests):
            raise Unsupported  # two members with one digest: Polars' join would double the row


_TYPES = {"String": ("string", "large_string", "string_view"), "Int64": ("int64",), "Date": ("date32[day]",)}
_TYPES["Float64"] = ("double",)


def _read(feed: str, table: pa.Table) -> list[Row]:
    names = _readable(feed, table.schema)
    rows = table.select(names).to_pylist()
    missing = {c: None for c in _SCHEMAS[feed] if c not in names}
    if missing:
        rows = [{**missing, **r} for r in rows]
    if any(r["_row"] is None for r in rows):
        raise Unsupported
    return rows


_SCHEMAS = {feed: {**BASE_COLUMNS, **cols} for feed, cols in FEED_COLUMNS.items()}


@functools.cache
def _readable(feed: str, schema: pa.Schema) -> list[str]:
    """The feed's columns the table has, when each has the type `evaluate` would cast it to."""
    names = [c for c in _SCHEMAS[feed] if c in schema.names]
    if any(str(schema.field(c).type) not in _TYPES[str(_SCHEMAS[feed][c])] for c in names):
        raise Unsupported  # evaluate casts it; not worth reproducing
    return names


def _resolve(feed: str, table: pa.Table | None, m: _Members, as_of: dt.date) -> list[Row]:
    """evaluate._prepare: the rows in force on `as_of` that belong to a member, with pid/match."""
    if table is None or table.num_rows == 0:
        return []
    rows = [r for r in _read(feed, table) if r["feed_as_of"] is not None and r["feed_as_of"] <= as_of]
    if rows and feed not in MONTHLY_FEEDS:
        newest = max(r["feed_as_of"] for r in rows)  # a state feed: only the newest delivery speaks
        rows = [r for r in rows if r["feed_as_of"] == newest]
    out = [_owned(r, m, r["id_number"], use_digest=True) for r in rows]
    if feed == "marriage":  # 男方 and 女方: the row belongs to each spouse who is a member
        swap = [{**r, "id_number": r["spouse_id_number"], "spouse_id_number": r["id_number"]} for r in rows]
        out += [_owned(r, m, r["id_number"], use_digest=False) for r in swap]
    kept = [r for r in out if r is not None]
    if feed in MONTHLY_FEEDS and "period" in FEED_COLUMNS[feed]:
        newest_by: dict[tuple[Any, Any], dt.date] = {}
        for r in kept:
            key = (r["pid"], r["period"])
            newest_by[key] = max(newest_by.get(key, r["feed_as_of"]), r["feed_as_of"])
        kept = [r for r in kept if r["feed_as_of"] == newest_by[(r["pid"], r["period"])]]
    return kept


def _owned(r: Row, m: _Members, number: str | None, *, use_digest: bool) -> Row | None:
    pid: str | None
    if number is not None:
        pid, match = number, "id"
    else:
        pid = m.by_digest.get(r["id_digest"]) if use_digest and r["id_digest"] is not None else None
        match = "digest"
    if pid is None or pid not in m.order:
        return None
    return {**r, "pid": pid, "match": match, "match_weight": None, "household_no": m.household[pid]}


# --- income -------------------------------------------------------------------------------------


def _average(rows: list[Row], amount: str, key: str | None, labels: str | None) -> list[Row]:
    """facts._average: per person (and key) months with data, total, average half up, rows, labels."""
    groups: dict[tuple[Any, Any], list[Row]] = {}
    for r in sorted(rows, key=lambda r: (r["feed_as_of"], r["_row"])):
        groups.setdefault((r["pid"], r.get(key) if key else None), []).append(r)
    out = []
    for (pid, k), g in groups.items():
        months = len({r["period"] for r in g})
        total = sum(r[amount] for r in g if r[amount] is not None)
        worst = max(g, key=lambda r: MATCH_DOUBT.get(r["match"], len(MATCH_DOUBT)))
        names = [] if labels is None else list(dict.fromkeys(r[labels] for r in g if r[labels] is not None))
        out.append(
            {
                "pid": pid,
                "key": k,
                "household_no": g[0]["household_no"],
                "months": months,
                "total_fen": total,
                "avg_fen": (2 * total + months) // (2 * months),
                "rows": sorted(r["_row"] for r in g),
                "months_list": [st.month(p) for p in sorted({r["period"] for r in g})],
                "feed_as_of": max(r["feed_as_of"] for r in g),
                "match": worst["match"],
                "match_weight": None,
                "labels": names,
            }
        )
    return out


def _in_window(rows: list[Row], as_of: dt.date) -> list[Row]:
    start, end = window(as_of)
    return [r for r in rows if r["period"] is not None and start <= r["period"] < end]


def _income(rows: dict[str, list[Row]], as_of: dt.date, facts: dict[str, Row], found: list[Row]) -> None:
    si = _average(_in_window(rows["social_insurance"], as_of), "base_fen", None, "employer")
    pension = _average(_in_window(rows["pension"], as_of), "amount_fen", None, "scheme")
    unemployment = _average(_in_window(rows["unemployment"], as_of), "amount_fen", None, None)
    tax_rows = [{**r, "source": "wage" if r["item"] in WAGE_TAX_ITEMS else "other"} for r in rows["tax"]]
    tax = _average(_in_window(tax_rows, as_of), "income_fen", "source", "item")
    has_si = {a["pid"] for a in si}
    for a in si:
        facts[a["pid"]]["si_wage"] = a["avg_fen"]
    for a in pension:
        facts[a["pid"]]["income_pension_fen"] = a["avg_fen"]
    for a in unemployment:
        facts[a["pid"]]["income_unemployment_fen"] = a["avg_fen"]
    for a in tax:
        facts[a["pid"]]["tax_wage" if a["key"] == "wage" else "income_other_fen"] = a["avg_fen"]
    for f in facts.values():
        si_wage, tax_wage = f.pop("si_wage", None), f.pop("tax_wage", None)
        f["income_wage_fen"] = si_wage if si_wage is not None else tax_wage
        f["wage_source"] = "social_insurance" if si_wage is not None else "tax" if tax_wage is not None else None
    found += [st.summary(a, "social_insurance", "wage", st.si_body(a), True) for a in si]
    found += [st.summary(a, "pension", "pension", st.pension_body(a), True) for a in pension]
    found += [st.summary(a, "unemployment", "unemployment", st.unemployment_body(a), True) for a in unemployment]
    for a in tax:
        counted = a["key"] == "other" or a["pid"] not in has_si
        found.append(st.summary(a, "tax", "income", st.tax_body(a, a["pid"] in has_si), counted))


# --- deceased, assets, status, other ------------------------------------------------------------


def _deceased(rows: dict[str, list[Row]], as_of: dt.date, facts: dict[str, Row], found: list[Row]) -> None:
    hukou = [r for r in rows["hukou"] if r["status"] == "死亡注销"]
    death = [r for r in rows["death"] if r["died_on"] is None or r["died_on"] <= as_of]
    cremation = [r for r in rows["cremation"] if r["died_on"] is None or r["died_on"] <= as_of]
    said = [(r["pid"], "hukou", r["cancelled_on"]) for r in hukou]
    said += [(r["pid"], "death", r["died_on"]) for r in death] + [
        (r["pid"], "cremation", r["died_on"]) for r in cremation
    ]
    for pid, feed, day in sorted(said, key=lambda s: FEED_ORDER[s[1]]):
        f = facts[pid]
        sources = f.setdefault("death_sources", [])
        if feed not in sources:
            sources.append(feed)
        if day is not None and (f.get("died_on") is None or day < f["died_on"]):
            f["died_on"] = day
    found += [st.row(r, "hukou", "deceased", st.hukou_dead_body(r), True) for r in hukou]
    found += [st.row(r, "death", "deceased", st.death_body(r), True) for r in death]
    found += [st.row(r, "cremation", "deceased", st.cremation_body(r), True) for r in cremation]


def _add(facts: dict[str, Row], pid: str, column: str, value: Any) -> None:
    """Polars' group sum: nulls skipped, a group of nulls sums to 0."""
    f = facts[pid]
    f[column] = f.get(column) or 0
    if value is not None:
        f[column] += value


def _assets(rows: dict[str, list[Row]], facts: dict[str, Row], found: list[Row]) -> None:
    for r in rows["vehicle"]:
        _add(facts, r["pid"], "vehicle_count", 1)
        _add(facts, r["pid"], "vehicle_value_fen", r["value_fen"])
    for r in rows["real_estate"]:
        _add(facts, r["pid"], "real_estate_count", 1)
        st.add_area(facts[r["pid"]], r["area_m2"])
    for r in rows["enterprise"]:
        if r["reg_status"] in ACTIVE_ENTERPRISE:
            _add(facts, r["pid"], "enterprise_count", 1)
            _add(facts, r["pid"], "enterprise_capital_fen", r["capital_fen"])
    for r in rows["deposit"]:
        _add(facts, r["pid"], "deposits_fen", r["balance_fen"])
    for r in rows["securities"]:
        _add(facts, r["pid"], "securities_fen", r["market_value_fen"])
    fund: dict[str, Row] = {}
    for r in sorted(
        (r for r in rows["housing_fund"] if r["period"] is not None),
        key=lambda r: (r["feed_as_of"], r["period"], r["_row"]),
        reverse=True,
    ):
        fund.setdefault(r["pid"], r)  # the newest delivery's latest month
    for pid, r in fund.items():
        facts[pid]["housing_fund_balance_fen"] = r["balance_fen"]
    found += [st.row(r, "vehicle", "vehicle", st.vehicle_body(r), True) for r in rows["vehicle"]]
    found += [st.row(r, "real_estate", "real_estate", "", True) for r in rows["real_estate"]]  # text: round_areas
    for r in rows["enterprise"]:
        active = r["reg_status"] in ACTIVE_ENTERPRISE
        found.append(st.row(r, "enterprise", "enterprise", st.enterprise_body(r, active), active))
    found += [st.row(r, "deposit", "deposit", st.deposit_body(r), True) for r in rows["deposit"]]
    found += [st.row(r, "securities", "securities", st.securities_body(r), True) for r in rows["securities"]]
    found += [st.row(r, "housing_fund", "housing_fund", st.fund_body(r), True) for r in fund.values()]


def _status(rows: dict[str, list[Row]], as_of: dt.date, facts: dict[str, Row], found: list[Row]) -> None:
    for r in rows["public_payroll"]:
        facts[r["pid"]]["public_payroll"] = True
        found.append(st.row(r, "public_payroll", "public_payroll", st.payroll_body(r), True))
    for r in rows["prison"]:
        inside = (r["admitted_on"] is None or r["admitted_on"] <= as_of) and (
            r["release_on"] is None or r["release_on"] > as_of
        )
        if inside:
            facts[r["pid"]]["prison"] = True
        found.append(st.row(r, "prison", "prison", st.prison_body(r, inside), inside))
    for r in rows["student"]:
        enrolled = r["status"] == "在校"
        if enrolled:
            facts[r["pid"]]["student"] = True
        found.append(st.row(r, "student", "student", st.student_body(r, enrolled), enrolled))
    for r in rows["disability"]:
        facts[r["pid"]]["disability"] = True
        found.append(st.row(r, "disability", "disability", st.disability_body(r), True))


def _other(rows: dict[str, list[Row]], as_of: dt.date, found: list[Row]) -> None:
    since = as_of - dt.timedelta(days=MEDICAL_WINDOW_DAYS)
    for r in rows["hukou"]:
        if r["status"] is not None and r["status"] not in ("正常", "死亡注销"):
            found.append(st.row(r, "hukou", "hukou", st.moved_body(r), True))
    found += [st.row(r, "marriage", "marriage", st.marriage_body(r), True) for r in rows["marriage"]]
    for r in rows["medical"]:
        if r["settled_on"] is not None and r["settled_on"] > since:
            found.append(st.row(r, "medical", "medical", st.medical_body(r), True))


# --- results ------------------------------------------------------------------------------------

_ZERO_INT = (
    "income_wage_fen",
    "income_pension_fen",
    "income_unemployment_fen",
    "income_other_fen",
    "deposits_fen",
    "securities_fen",
    "housing_fund_balance_fen",
    "vehicle_count",
    "vehicle_value_fen",
    "real_estate_count",
    "enterprise_count",
    "enterprise_capital_fen",
)
_INCOME = ("income_wage_fen", "income_pension_fen", "income_unemployment_fen", "income_other_fen")


def _persons(m: _Members, facts: dict[str, Row]) -> list[Row]:
    out = []
    for pid, name, household in zip(m.ids, m.names, m.households, strict=True):
        f = facts[pid]
        p: Row = {"household_no": household, "id_number": pid, "name": name}
        p.update({c: f.get(c) or 0 for c in _ZERO_INT})
        p.update({c: bool(f.get(c)) for c in ("public_payroll", "prison", "student", "disability")})
        p.update(
            wage_source=f.get("wage_source"),
            died_on=f.get("died_on"),
            death_sources=f.get("death_sources", []),
            real_estate_area_m2=f.get("real_estate_area_m2") or 0.0,
            income_monthly_fen=sum(p[c] for c in _INCOME),
        )
        present = {
            "deceased": p["died_on"] is not None or bool(p["death_sources"]),
            "vehicle": p["vehicle_count"] > 0,
            "real_estate": p["real_estate_count"] > 0,
            "enterprise": p["enterprise_count"] > 0,
            "pension": p["income_pension_fen"] > 0,
            "unemployment": p["income_unemployment_fen"] > 0,
            "wage": p["income_wage_fen"] > 0,
        }
        p["flags"] = [flag for flag in FLAGS if present.get(flag, p.get(flag))]
        out.append(p)
    return out


_SUMS = (
    "income_wage_fen",
    "income_pension_fen",
    "income_unemployment_fen",
    "income_other_fen",
    "income_monthly_fen",
    "deposits_fen",
    "securities_fen",
    "housing_fund_balance_fen",
    "vehicle_count",
    "vehicle_value_fen",
    "real_estate_count",
    "enterprise_count",
    "enterprise_capital_fen",
)


def _households(persons: list[Row]) -> list[Row]:
    groups: dict[Any, list[Row]] = {}
    for p in persons:
        groups.setdefault(p["household_no"], []).append(p)
    out = []
    for household, ps in groups.items():
        h: Row = {"household_no": household, **{c: sum(p[c] for p in ps) for c in _SUMS}}
        n = len(ps)
        flags = {flag for p in ps for flag in p["flags"]}
        h.update(
            members=n,
            deceased_members=sum("deceased" in p["flags"] for p in ps),
            per_capita_income_monthly_fen=(2 * h["income_monthly_fen"] + n) // (2 * n),
            flags=[flag for flag in FLAGS if flag in flags],
        )
        out.append(h)
    return out


def _columns(rows: list[Row]) -> Columns:
    if not rows:
        return {}
    return {c: [r[c] for r in rows] for c in rows[0]}
