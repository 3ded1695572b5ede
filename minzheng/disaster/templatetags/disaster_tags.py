"""Template filters of the disaster pages: money in fen shown as 元 (integer arithmetic)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """123456 → '1,234.56'; None → '—' (not decided is not zero)."""
    if fen is None:
        return "—"
    sign, fen = ("-" if fen < 0 else ""), abs(int(fen))
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"
