from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.workdays"
    label = "workdays"
    verbose_name = "工作日"

    def ready(self) -> None:
        # Its entries in the navigation bar (the portal shows what apps register).
        from minzheng.core import navigation
        from minzheng.workdays import access

        navigation.register("workdays", group="办事", group_order=10, order=30, entries=access.nav_entries)
