"""Parameter files: the minzheng import format and OpenFisca's parameter YAML, both ways. Django-free.

minzheng format (one document, keys at the top)::

    dibao.standard:
      description: 最低生活保障标准
      unit: 元/人/月
      values:
        - {region: "330212", from: 2022-07-01, value: 1181, reference: "鄞州区 2022"}

OpenFisca format (a parameter tree; https://openfisca.org/doc/coding-the-legislation/legislation_parameters.html)::

    dibao:
      standard:
        description: 最低生活保障标准
        metadata: {unit: 元/人/月}
        national:                       # region '' (全国)
          values: {2021-01-01: {value: 900}}
        "330212":                       # one child node per region code (OpenFisca's "fancy indexing" shape)
          values:
            2022-07-01: {value: 1181, metadata: {reference: 鄞州区 2022}}

A parameter with national values only is written as a plain OpenFisca leaf (`values:` on the key).
Numbers are kept as written (YAML floats are read as Decimal from their text), never as float.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
REGION_RE = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})?$")
NATIONAL = "national"  # the OpenFisca child name of region '' (全国)
_META_KEYS = {"description", "metadata", "documentation", "reference", "unit", "values", "brackets", "file_path"}


class ParamFileError(ValueError):
    """The file is refused as a whole; `errors` lists every problem in Chinese."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors[:5]) + (f"；等 {len(errors)} 处错误" if len(errors) > 5 else ""))
        self.errors = errors


@dataclass(frozen=True)
class ParamRecord:
    """One dated regional value as it travels between files and the database."""

    key: str
    region_code: str
    effective_from: dt.date
    value: str  # exact decimal text, e.g. "1181", "1.5"
    value_type: str  # "integer" | "decimal"
    unit: str = ""
    description: str = ""
    reference: str = ""


class _ExactLoader(yaml.SafeLoader):
    """SafeLoader that reads floats as Decimal from their text, so 1.05 stays exactly 1.05."""


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal("NaN")


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParamFileError([f"无法读取文件 {path.name}：{exc}"]) from exc
    try:
        return yaml.load(text, Loader=_ExactLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise ParamFileError([f"{path.name} {where} 不是合法的 YAML：{getattr(exc, 'problem', exc)}"]) from exc


def exact_value(raw: Any) -> tuple[str, str]:
    """(text, value_type) for a number; ValueError with a Chinese reason otherwise."""
    if isinstance(raw, bool) or raw is None:
        raise ValueError(f"取值“{raw}”不是数字")
    if isinstance(raw, int):
        return str(raw), "integer"
    try:
        number = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"取值“{raw}”不是数字") from None
    if not number.is_finite():
        raise ValueError(f"取值“{raw}”不是有限的数字")
    text = format(number, "f")
    if "." not in text and not isinstance(raw, Decimal):
        return text, "integer"  # "1181" typed into a form
    return text, "decimal"


def _date(raw: Any) -> dt.date:
    """A value's date through `core.dates.parse_day` (1900–2099): a typo such as 0202-07-01 is refused."""
    from minzheng.core.dates import parse_day

    return parse_day(raw, "日期")


def parse_region(raw: Any) -> str:
    """'' (national) or the significant prefix: '330400' (嘉兴市, padded) → '3304', '330212000000' → '330212'."""
    code = "" if raw in (None, "", NATIONAL) else str(raw).strip()
    if not REGION_RE.match(code):
        raise ValueError(f"区划代码“{raw}”应为 2、4、6、9 或 12 位数字（空为全国）")
    for width in (2, 4, 6, 9):
        if len(code) > width and set(code[width:]) <= {"0"}:
            return code[:width]
    return code


def _reference(raw: Any) -> str:
    """OpenFisca references may be a string, a {title, href} mapping or a list of either."""
    if raw is None:
        return ""
    if isinstance(raw, list):
        return "；".join(r for r in (_reference(item) for item in raw) if r)
    if isinstance(raw, dict):
        return " ".join(str(raw[k]) for k in ("title", "href") if raw.get(k))
    return str(raw).strip()


# ---------------------------------------------------------------- reading


def parse_file(path: Path) -> list[ParamRecord]:
    """Read either format (detected per parameter: `values` a list = minzheng, a mapping = OpenFisca).

    Also OpenFisca's own layouts: a parameter file without a key at the top (`description`,
    `metadata`, `values` — the key is the file name, `dibao.standard.yaml`), and a parameters
    directory whose paths are the keys (`dibao/standard.yaml`, `dibao/index.yaml` for metadata).
    """
    path = Path(path)
    records: list[ParamRecord] = []
    errors: list[str] = []
    if path.is_dir():
        _parse_tree(path, records, errors)
    else:
        _parse_document(path, "", records, errors)
    _check_duplicates(records, errors)
    if errors:
        raise ParamFileError(errors)
    return records


def _parse_document(path: Path, prefix: str, records: list[ParamRecord], errors: list[str]) -> None:
    data = load_yaml(path)
    if not isinstance(data, dict) or not data:
        errors.append(f"{path.name}：文件应以参数键开头（如 dibao.standard:）")
        return
    if prefix or set(map(str, data)) & {"values", "metadata", "description"}:
        # One OpenFisca node per file: its key is the file's place in the tree.
        key = prefix or path.stem
        if path.stem == "index" and prefix:
            return  # a directory's metadata; its children carry their own
        _parse_openfisca(key, data, {}, records, errors)
        return
    for key, node in data.items():
        if isinstance(node, dict) and isinstance(node.get("values"), list):
            _parse_minzheng(str(key), node, records, errors)
        else:
            _parse_openfisca(str(key), node, {}, records, errors)


def _parse_tree(root: Path, records: list[ParamRecord], errors: list[str]) -> None:
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        errors.append(f"{root.name}：目录中没有参数文件（*.yaml）")
    for file in files:
        parts = file.relative_to(root).with_suffix("").parts
        if parts[-1] == "index":
            continue  # OpenFisca directory metadata (description, reference) only
        _parse_document(file, ".".join(parts), records, errors)


def _check_key(key: str, errors: list[str]) -> bool:
    if KEY_RE.match(key):
        return True
    errors.append(f"参数键“{key}”应为小写英文加点，如 dibao.standard")
    return False


def _parse_minzheng(key: str, node: dict[str, Any], out: list[ParamRecord], errors: list[str]) -> None:
    if not _check_key(key, errors):
        return
    unit, description = str(node.get("unit") or ""), str(node.get("description") or "")
    default_ref = _reference(node.get("reference"))
    for i, row in enumerate(node["values"], start=1):
        where = f"{key} 第 {i} 个取值"
        if not isinstance(row, dict):
            errors.append(f"{where}：应为 {{region, from, value, reference}}")
            continue
        try:
            value, value_type = exact_value(row.get("value"))
            out.append(
                ParamRecord(
                    key=key,
                    region_code=parse_region(row.get("region")),
                    effective_from=_date(row.get("from")),
                    value=value,
                    value_type=value_type,
                    unit=str(row.get("unit") or unit),
                    description=description,
                    reference=_reference(row.get("reference")) or default_ref,
                )
            )
        except ValueError as exc:
            errors.append(f"{where}：{exc}")


def _parse_openfisca(
    path: str, node: Any, inherited: dict[str, str], out: list[ParamRecord], errors: list[str]
) -> None:
    if not isinstance(node, dict):
        errors.append(f"{path}：应为参数节点（含 values 或子节点）")
        return
    meta = node.get("metadata") if isinstance(node.get("metadata"), dict) else {}
    here = {
        "unit": str(meta.get("unit") or node.get("unit") or inherited.get("unit", "")),
        "description": str(node.get("description") or inherited.get("description", "")),
        "reference": _reference(meta.get("reference") or node.get("reference")) or inherited.get("reference", ""),
    }
    if "values" in node:
        _parse_openfisca_leaf(path, node["values"], here, out, errors)
        return
    children = {str(k): v for k, v in node.items() if str(k) not in _META_KEYS}
    if not children:
        errors.append(f"{path}：既没有 values 也没有子节点")
    for name, child in children.items():
        _parse_openfisca(f"{path}.{name}", child, here, out, errors)


def _split_region(path: str) -> tuple[str, str]:
    """`dibao.standard.330212` → ('dibao.standard', '330212'); `...national` → region ''."""
    head, _, last = path.rpartition(".")
    if head and (last == NATIONAL or (last.isdigit() and REGION_RE.match(last))):
        return head, "" if last == NATIONAL else last
    return path, ""


def _parse_openfisca_leaf(
    path: str, values: Any, meta: dict[str, str], out: list[ParamRecord], errors: list[str]
) -> None:
    key, region = _split_region(path)
    if not _check_key(key, errors):
        return
    if not isinstance(values, dict):
        errors.append(f"{path}：values 应为 日期: {{value: …}} 的映射")
        return
    for raw_date, entry in values.items():
        where = f"{path} {raw_date}"
        item = entry if isinstance(entry, dict) else {"value": entry}
        if "value" not in item and "expected" in item:
            item = {**item, "value": item["expected"]}
        if item.get("value") is None:
            errors.append(f"{where}：取值为空（OpenFisca 的“自此废止”暂不支持，请写明取值）")
            continue
        item_meta = item.get("metadata") if isinstance(item.get("metadata"), dict) else {}
        try:
            value, value_type = exact_value(item["value"])
            out.append(
                ParamRecord(
                    key=key,
                    region_code=region,
                    effective_from=_date(raw_date),
                    value=value,
                    value_type=value_type,
                    unit=meta["unit"],
                    description=meta["description"],
                    reference=_reference(item_meta.get("reference") or item.get("reference")) or meta["reference"],
                )
            )
        except ValueError as exc:
            errors.append(f"{where}：{exc}")


def _check_duplicates(records: list[ParamRecord], errors: list[str]) -> None:
    seen: set[tuple[str, str, dt.date]] = set()
    for r in records:
        ident = (r.key, r.region_code, r.effective_from)
        if ident in seen:
            errors.append(f"{r.key} 区划“{r.region_code or '全国'}” {r.effective_from} 重复出现")
        seen.add(ident)


# ---------------------------------------------------------------- writing


def _number(record: ParamRecord) -> int | Decimal:
    return int(record.value) if record.value_type == "integer" else Decimal(record.value)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value, "f"))


_Dumper.add_representer(Decimal, _represent_decimal)


def _by_key(records: Iterable[ParamRecord]) -> Iterator[tuple[str, list[ParamRecord]]]:
    groups: dict[str, list[ParamRecord]] = {}
    for r in records:
        groups.setdefault(r.key, []).append(r)
    for key in sorted(groups):
        yield key, sorted(groups[key], key=lambda r: (r.region_code, r.effective_from))


def dump_minzheng(records: Iterable[ParamRecord]) -> str:
    doc: dict[str, Any] = {}
    for key, rows in _by_key(records):
        doc[key] = {
            "description": rows[-1].description,
            "unit": rows[-1].unit,
            "values": [
                {"region": r.region_code, "from": r.effective_from, "value": _number(r), "reference": r.reference}
                for r in rows
            ],
        }
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)


def _openfisca_values(rows: list[ParamRecord]) -> dict[dt.date, Any]:
    values: dict[dt.date, Any] = {}
    for r in sorted(rows, key=lambda r: r.effective_from, reverse=True):  # OpenFisca lists newest first
        entry: dict[str, Any] = {"value": _number(r)}
        if r.reference:
            entry["metadata"] = {"reference": r.reference}
        values[r.effective_from] = entry
    return values


def dump_openfisca(records: Iterable[ParamRecord]) -> str:
    tree: dict[str, Any] = {}
    for key, rows in _by_key(records):
        node = tree
        for part in key.split("."):
            node = node.setdefault(part, {})
        node["description"] = rows[-1].description
        node["metadata"] = {"unit": rows[-1].unit}
        regions: dict[str, list[ParamRecord]] = {}
        for r in rows:
            regions.setdefault(r.region_code, []).append(r)
        if set(regions) == {""}:
            node["values"] = _openfisca_values(regions[""])
            continue
        for region in sorted(regions):
            node[region or NATIONAL] = {"values": _openfisca_values(regions[region])}
    return yaml.dump(tree, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)
