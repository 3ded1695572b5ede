"""Password rules of 等保 2.0 三级 (GB/T 22239-2019 8.1.4.1): long enough, several character classes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

CLASSES = (
    ("大写字母", str.isupper),
    ("小写字母", str.islower),
    ("数字", str.isdigit),
    ("符号", lambda ch: not ch.isalnum() and not ch.isspace()),
)


class ComplexityValidator:
    """At least `min_length` characters from at least `min_classes` of: upper, lower, digit, symbol."""

    def __init__(self, min_length: int = 10, min_classes: int = 3) -> None:
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if len(password) < self.min_length:
            errors.append(ValidationError(f"密码至少 {self.min_length} 位", code="password_too_short"))
        used = [name for name, test in CLASSES if any(test(ch) for ch in password)]
        if len(used) < self.min_classes:
            errors.append(
                ValidationError(
                    f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类"
                    f"（现在只有{'、'.join(used) or '0 类'}）",
                    code="password_too_simple",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return f"至少 {self.min_length} 位，含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类"
