"""Walking the audit hash chain: find a deleted, altered or forged row.

Reads the whole log once, in `seq` order, one chunk at a time (a county's years of audit fit in
constant memory). Each row is checked three ways:
- its `seq` follows the previous one (a gap is a deleted row),
- its `prev_hash` is the previous row's `hash` (a broken link is a row removed or slipped in),
- its `hash` is SHA-256 over `prev_hash` and its own content (a mismatch is an edited row, or a
  row inserted around audit_record; one that is also earlier than the row before is a back-dated
  forgery).
A chain is only as trustworthy as its last row: whoever can write SQL and knows the format can
re-hash a forged tail. Record the head that `minzheng audit verify` prints outside the database
and give it back with `--anchor`: then a rewritten or cut tail is found too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from minzheng.audit import chain
from minzheng.audit.models import AuditEvent

CHUNK = 5000
MAX_PROBLEMS = 100  # a wiped or re-keyed log would otherwise list every row


@dataclass
class Problem:
    kind: str  # missing | broken | altered | forged | anchor
    seq: int
    id: int | None
    message: str


@dataclass
class Report:
    rows: int = 0
    head_seq: int = 0
    head_hash: str = chain.GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _row_problems(row: dict[str, Any], prev: dict[str, Any]) -> list[Problem]:
    seq, pk, found = row["seq"], row["id"], []
    expected = prev["seq"] + 1
    if seq > expected:
        found.append(Problem("missing", expected, None, f"第 {expected}–{seq - 1} 条审计记录缺失（已被删除）"))
    elif row["prev_hash"] != prev["hash"]:
        found.append(Problem("broken", seq, pk, f"第 {seq} 条记录与前一条的哈希链断开（其间有记录被删除或插入）"))
    if chain.link(row["prev_hash"], row) != row["hash"]:
        if prev["at"] is not None and row["at"] < prev["at"]:
            message = f"第 {seq} 条记录的哈希不符且时间早于前一条：绕过审计服务倒填时间插入的伪造记录"
            found.append(Problem("forged", seq, pk, message))
        else:
            found.append(Problem("altered", seq, pk, f"第 {seq} 条记录的内容与哈希不符：记录被修改或伪造"))
    return found


def _check_anchor(report: Report, anchor: tuple[int, str]) -> None:
    seq, digest = anchor
    stored = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if stored != digest:
        found = "不存在" if stored is None else f"哈希为 {stored[:12]}…"
        message = f"锚点第 {seq} 条应为 {digest[:12]}…，现{found}：此后的记录被截断或整体重写"
        report.problems.insert(0, Problem("anchor", seq, None, message))


def audit_verify(*, anchor: tuple[int, str] | None = None) -> Report:
    report = Report()
    prev: dict[str, Any] = {"seq": 0, "hash": chain.GENESIS, "at": None}
    columns = ("id", "prev_hash", "hash", *chain.FIELDS)
    for row in AuditEvent.objects.order_by("seq").values(*columns).iterator(chunk_size=CHUNK):
        report.rows += 1
        if len(report.problems) < MAX_PROBLEMS:
            report.problems.extend(_row_problems(row, prev))
        prev = row
    report.head_seq, report.head_hash = prev["seq"], prev["hash"]
    if anchor is not None:
        _check_anchor(report, anchor)
    return report
