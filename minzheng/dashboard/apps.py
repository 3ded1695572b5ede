from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    """民政大脑: every app's registered figures, stored per division, drawn as charts, maps and the 大屏."""

    name = "minzheng.dashboard"
    label = "dashboard"
    verbose_name = "民政大脑"

    def ready(self) -> None:
        from minzheng.core import navigation
        from minzheng.dashboard import access, services
        from minzheng.scheduler.registry import register

        navigation.register("dashboard", group="民政大脑", group_order=90, order=10, entries=access.nav_entries)
        # Every 30 minutes: a page shows figures at most half an hour old, and says when they were taken.
        register("dashboard.refresh", services.refresh, every=dt.timedelta(minutes=30), label="民政大脑指标刷新")
