"""The item lists (data/items.yaml) loaded and checked once: departments, proofs, items per region.

A case uses the list of the longest prefix of its village's code; `extends` copies another
region's list, `add` appends, `drop` removes. A list that names an unknown department or proof
fails at load, with the list and the item named.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "items.yaml"
KINDS = ("death", "birth", "marriage")
CONDITIONS = ("tag", "benefit", "fact", "age")


class CatalogueError(ValueError):
    """An item list that cannot be used; the message names the list and the item."""


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    role: str


@dataclass(frozen=True)
class ProofSpec:
    key: str
    label: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ItemSpec:
    key: str
    label: str
    department: str
    days: int
    proofs: tuple[str, ...]
    applies: str = ""  # "" always | tag:<kind> | benefit:<prog,…> | fact:<field> | age:<years>
    benefits: tuple[str, ...] = ()
    done_by: str = ""  # a record that means the item is already done (火化记录, 户籍注销 …)

    @property
    def condition(self) -> tuple[str, str]:
        kind, _, arg = self.applies.partition(":")
        return kind, arg


@dataclass(frozen=True)
class Catalogue:
    departments: dict[str, DepartmentSpec]
    proofs: dict[str, ProofSpec]
    lists: dict[str, dict[str, tuple[ItemSpec, ...]]]  # kind → region prefix → items

    def items_for(self, kind: str, division_code: str) -> tuple[str, tuple[ItemSpec, ...]]:
        """(the region whose list applies, its items): the longest prefix of the village's code."""
        regions = self.lists.get(kind) or {}
        for n in range(len(division_code), 0, -1):
            if division_code[:n] in regions:
                return division_code[:n], regions[division_code[:n]]
        raise CatalogueError(f"{division_code} 没有适用的{kind}事项清单")


def _item(kind: str, region: str, raw: dict[str, Any], cat_deps: dict[str, Any], proofs: dict[str, Any]) -> ItemSpec:
    where = f"事项清单 {kind}/{region} 的 {raw.get('key')}"
    if raw.get("department") not in cat_deps:
        raise CatalogueError(f"{where}：未知部门 {raw.get('department')}")
    unknown = [p for p in raw.get("proofs") or [] if p not in proofs]
    if unknown:
        raise CatalogueError(f"{where}：未知证明 {'、'.join(unknown)}")
    applies = str(raw.get("applies") or "")
    if applies and applies.partition(":")[0] not in CONDITIONS:
        raise CatalogueError(f"{where}：适用条件 {applies} 无法识别")
    return ItemSpec(
        key=str(raw["key"]),
        label=str(raw["label"]),
        department=str(raw["department"]),
        days=int(raw["days"]),
        proofs=tuple(raw.get("proofs") or ()),
        applies=applies,
        benefits=tuple(raw.get("benefits") or ()),
        done_by=str(raw.get("done_by") or ""),
    )


def _region(kind: str, region: str, raw_lists: dict[str, Any], build: Any) -> tuple[ItemSpec, ...]:
    raw = raw_lists[region]
    if isinstance(raw, list):
        return tuple(build(kind, region, r) for r in raw)
    base = list(_region(kind, str(raw["extends"]), raw_lists, build)) if raw.get("extends") else []
    dropped = set(raw.get("drop") or ())
    items = [i for i in base if i.key not in dropped] + [build(kind, region, r) for r in raw.get("add") or []]
    keys = [i.key for i in items]
    if len(keys) != len(set(keys)):
        raise CatalogueError(f"事项清单 {kind}/{region}：事项代码重复")
    return tuple(items)


@cache
def catalogue() -> Catalogue:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    deps = {
        d["code"]: DepartmentSpec(d["code"], d["name"], d.get("role", "department_staff")) for d in raw["departments"]
    }
    proofs = {k: ProofSpec(k, v["label"], tuple(v.get("sources") or ())) for k, v in raw["proofs"].items()}

    def build(kind: str, region: str, r: dict[str, Any]) -> ItemSpec:
        return _item(kind, region, r, deps, proofs)

    lists: dict[str, dict[str, tuple[ItemSpec, ...]]] = {}
    for kind, regions in raw["lists"].items():
        if kind not in KINDS:
            raise CatalogueError(f"未知的事项类型 {kind}")
        lists[kind] = {str(region): _region(kind, str(region), regions, build) for region in regions}
    return Catalogue(departments=deps, proofs=proofs, lists=lists)
