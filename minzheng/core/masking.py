"""Masking for lists: identity numbers and phones never appear whole there."""

from __future__ import annotations


def mask_id_number(number: str) -> str:
    """`330212199001011234` → `3302************1234` (first 4, last 4)."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """`13812345678` → `138****5678`; landlines keep area code and last 2."""
    if not phone:
        return ""
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "****" + phone[-4:]
    if len(phone) <= 4:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 6) + phone[-2:]


def mask_name(name: str) -> str:
    """公示 shows the surname only: 张三丰 → 张**."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""
