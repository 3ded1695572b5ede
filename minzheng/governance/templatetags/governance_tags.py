"""Template filters of the 基层治理 pages."""

from __future__ import annotations

from django import template

from minzheng.eldercare.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Fen → 元 with two decimals (integer arithmetic), signed for fund outflows."""
    return _yuan(int(fen or 0))


@register.filter
def stars(n: int | None) -> str:
    return "★" * int(n or 0) or "未达星级"
