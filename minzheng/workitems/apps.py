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
        # Producers also run on a timer, so a queue filled outside a batch (fraud flags at check-out)
        # reaches the 待办 without anyone opening a page.
        import datetime as dt

        from minzheng.scheduler.registry import register
        from minzheng.workitems.services import refresh_all

        register("workitems.refresh", refresh_all, every=dt.timedelta(minutes=10), label="刷新待办")
