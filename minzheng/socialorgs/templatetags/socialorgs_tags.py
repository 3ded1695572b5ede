"""Template filters of the 社会组织 pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen → “1,234.50 元”; None → “—” (not filled is not zero)."""
    return "—" if fen is None else f"{fen / 100:,.2f} 元"
