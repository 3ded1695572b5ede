"""Splitting an order's price into government subsidy and personal co-payment, in integer fen.

Rounding rule (documented for statements and bills): the subsidy is rounded DOWN to the fen
(the state never pays a fraction of a fen more than its share); the co-payment is the rest,
so subsidy + co-payment == price for every order, and therefore for every statement.
Minutes beyond the month's remaining entitlement get no subsidy: the subsidised part of the
price is price × covered_minutes / minutes, also rounded down.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Split:
    price_fen: int
    subsidy_fen: int
    copay_fen: int
    covered_minutes: int


def split(price_fen: int, *, share_pct: int, minutes: int, covered_minutes: int) -> Split:
    """Government share (percent, 0–100) of the covered part of the price."""
    if price_fen < 0 or minutes < 0 or not 0 <= share_pct <= 100:
        raise ValueError("价格、时长不能为负，政府承担比例应在 0–100 之间")
    covered = max(0, min(covered_minutes, minutes))
    covered_price = price_fen if covered == minutes else (price_fen * covered) // minutes if minutes else 0
    subsidy = (covered_price * share_pct) // 100
    return Split(price_fen, subsidy, price_fen - subsidy, covered)


def yuan(fen: int) -> str:
    """'12.34' for 1234 fen: display only (string arithmetic, never float)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
