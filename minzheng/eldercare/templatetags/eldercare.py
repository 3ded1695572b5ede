"""Template filters of the eldercare pages."""

from __future__ import annotations

from django import template

from minzheng.eldercare.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """1234 → '12.34' (integer arithmetic; fen are never floats)."""
    return _yuan(int(fen or 0))


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key, key) if mapping else key
