from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.cases"
    label = "cases"
    verbose_name = "社会救助案件"

    def ready(self) -> None:
        # Case types bind the Case model to their machines (workflow kernel) and register guards.
        from minzheng.cases import guards, services  # noqa: F401
