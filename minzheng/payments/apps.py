from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.payments"
    label = "payments"
    verbose_name = "待遇与资金发放"

    def ready(self) -> None:
        pass
