"""The difference between two batch runs, as worklist items (核对工作清单). Django-free.

A household's batch record is what `batch` stores for it: per-capita income, the household totals
and one summary per member (flags, counts, income by source, death date, evidence texts). Two
records of the same household are compared member by member (by identity number) and every new
fact becomes one `Change`. Facts are fingerprinted, so however often a run is repeated or resumed
the same fact never makes a second item.

Kinds (the issue's list): 新增死亡, 新增车辆, 新增房产, 新增企业, 收入变化超过阈值, 进入财政供养, 服刑.
A household seen for the first time is compared with nothing: every death, vehicle, property,
company, public salary and prison term it has is new to the worklist (the first re-check is the
one that finds the dead still on the rolls); income change needs an earlier figure, so not then.

Income-change threshold (`IncomeThreshold`): per-capita monthly income moved by more than
`ratio` (default 20%) of the earlier figure *and* by at least `min_fen` (default 10,000 fen =
100 元 per person per month). Source: no national text fixes a number — 《社会救助暂行办法》
Art. 13 only requires families to report changes and the county to re-check; 20% is the project's
default for "materially changed" and the 100 元 floor keeps a 0 → 5 元 move off the list. Both are
settings (`VERIFICATION_INCOME_CHANGE_RATIO`, `VERIFICATION_INCOME_CHANGE_MIN_FEN`) and CLI options
(`minzheng verify batch --income-ratio --income-min-yuan`); a county that prefers "a change larger
than the local 低保标准" sets ratio 0 and min_fen to its standard.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from minzheng.verification.engine.texts import FEED_LABELS

NEW_DEATH = "new_death"
NEW_VEHICLE = "new_vehicle"
NEW_REAL_ESTATE = "new_real_estate"
NEW_ENTERPRISE = "new_enterprise"
INCOME_CHANGE = "income_change"
PUBLIC_PAYROLL = "public_payroll"
PRISON = "prison"
KIND_LABELS = {
    NEW_DEATH: "新增死亡",
    NEW_VEHICLE: "新增车辆",
    NEW_REAL_ESTATE: "新增房产",
    NEW_ENTERPRISE: "新增企业",
    INCOME_CHANGE: "收入变化超过阈值",
    PUBLIC_PAYROLL: "进入财政供养",
    PRISON: "服刑",
}
# Which feeds' evidence explains which kind (shown in the item's detail).
EVIDENCE_FEEDS = {
    NEW_DEATH: ("death", "cremation", "hukou"),
    NEW_VEHICLE: ("vehicle",),
    NEW_REAL_ESTATE: ("real_estate",),
    NEW_ENTERPRISE: ("enterprise",),
    PUBLIC_PAYROLL: ("public_payroll",),
    PRISON: ("prison",),
}


@dataclass(frozen=True)
class IncomeThreshold:
    ratio: float = 0.20
    min_fen: int = 10_000

    def exceeded(self, before: int, after: int) -> bool:
        change = abs(after - before)
        return change >= self.min_fen and change > self.ratio * abs(before)


@dataclass(frozen=True)
class Change:
    kind: str
    household_no: str
    id_number: str | None
    detail: str
    fingerprint: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d} 元" if fen >= 0 else "-" + yuan(-fen)


def _masked(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) >= 8 else number


def _who(person: dict[str, Any]) -> str:
    return f"{person.get('name') or ''}（{_masked(person.get('id_number') or '')}）"


def _evidence(person: dict[str, Any], kind: str) -> str:
    feeds = EVIDENCE_FEEDS.get(kind, ())
    texts = [e["text"] for e in person.get("evidence") or [] if e.get("feed") in feeds and e.get("text")]
    return ("；依据：" + "；".join(texts[:5])) if texts else ""


def _num(person: dict[str, Any] | None, key: str) -> int:
    return int((person or {}).get(key) or 0)


def _flag(person: dict[str, Any] | None, flag: str) -> bool:
    return flag in ((person or {}).get("flags") or [])


def person_changes(
    household_no: str, before: dict[str, Any] | None, after: dict[str, Any], *, as_of: dt.date
) -> Iterator[Change]:
    """New facts about one member (before is None: the member was not checked until now)."""
    number = after["id_number"]
    who = _who(after)

    def change(kind: str, text: str, *key: object) -> Change:
        return Change(kind, household_no, number, text + _evidence(after, kind), fingerprint(kind, number, *key))

    died = after.get("died_on")
    if died and not (before or {}).get("died_on"):
        sources = "、".join(FEED_LABELS.get(f, f) for f in after.get("death_sources") or [])
        yield change(NEW_DEATH, f"{who}死亡，死亡日期 {died}" + (f"（{sources}）" if sources else ""), died)
    for kind, key, unit, noun in (
        (NEW_VEHICLE, "vehicle_count", "辆", "车辆"),
        (NEW_REAL_ESTATE, "real_estate_count", "处", "房产"),
    ):
        old, new = _num(before, key), _num(after, key)
        if new > old:
            yield change(kind, f"{who}名下{noun}由 {old} {unit}增至 {new} {unit}", new)
    old_cap, new_cap = _num(before, "enterprise_capital_fen"), _num(after, "enterprise_capital_fen")
    if new_cap > old_cap or (_flag(after, "enterprise") and not _flag(before, "enterprise")):
        text = f"{who}名下企业认缴出资额由 {yuan(old_cap)}增至 {yuan(new_cap)}"
        yield change(NEW_ENTERPRISE, text, new_cap)
    if _flag(after, "public_payroll") and not _flag(before, "public_payroll"):
        yield change(PUBLIC_PAYROLL, f"{who}列入财政供养人员", as_of.isoformat())
    if _flag(after, "prison") and not _flag(before, "prison"):
        yield change(PRISON, f"{who}在服刑人员名单中", as_of.isoformat())


def household_changes(
    before: dict[str, Any] | None,
    after: dict[str, Any],
    *,
    as_of: dt.date,
    threshold: IncomeThreshold = IncomeThreshold(),
) -> list[Change]:
    """Every new fact between two records of one household (`before` None: first time checked)."""
    household_no = after["household_no"]
    earlier = {p["id_number"]: p for p in (before or {}).get("persons", [])}
    changes = [
        c for p in after["persons"] for c in person_changes(household_no, earlier.get(p["id_number"]), p, as_of=as_of)
    ]
    if before is not None:
        old, new = int(before["per_capita_income_fen"]), int(after["per_capita_income_fen"])
        if threshold.exceeded(old, new):
            text = f"家庭月人均收入由 {yuan(old)}变为 {yuan(new)}（变化 {yuan(new - old)}）"
            changes.append(
                Change(INCOME_CHANGE, household_no, None, text, fingerprint(INCOME_CHANGE, household_no, as_of, new))
            )
    return changes


def record_of(row: dict[str, Any]) -> dict[str, Any]:
    """A batch result row (JSON columns as text) → the record `household_changes` compares."""
    return {
        "household_no": row["household_no"],
        "per_capita_income_fen": row["per_capita_income_fen"],
        "totals": json.loads(row["totals_json"]) if isinstance(row["totals_json"], str) else row["totals_json"],
        "persons": json.loads(row["persons_json"]) if isinstance(row["persons_json"], str) else row["persons_json"],
    }


def diff_runs(
    before: Iterable[dict[str, Any]],
    after: Iterable[dict[str, Any]],
    *,
    as_of: dt.date,
    threshold: IncomeThreshold = IncomeThreshold(),
) -> list[Change]:
    """Two runs' result rows (dicts with household_no, content_hash, …) → the worklist changes.

    Households whose content hash did not change are skipped without parsing their JSON.
    """
    earlier = {row["household_no"]: row for row in before}
    changes: list[Change] = []
    for row in after:
        old = earlier.get(row["household_no"])
        if old is not None and old["content_hash"] == row["content_hash"]:
            continue
        changes += household_changes(
            record_of(old) if old is not None else None, record_of(row), as_of=as_of, threshold=threshold
        )
    return changes
