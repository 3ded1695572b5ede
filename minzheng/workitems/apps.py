from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.workitems"
    label = "workitems"
    verbose_name = "待办"

    def ready(self) -> None:
        # Its entries in the navigation bar (the portal shows what apps register).
        from minzheng.core import navigation
        from minzheng.workitems import access

        navigation.register("workitems", group="办事", group_order=10, order=10, entries=access.nav_entries)
