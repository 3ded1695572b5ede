from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.emergency"
    label = "emergency"
    verbose_name = "一键通紧急呼叫"

    def ready(self) -> None:
        from minzheng.emergency import tasks  # registers job handlers
        from minzheng.scheduler.registry import register

        # The ladder climbs in the worker, not in an open browser: every 10 s, each rung dated at its deadline.
        register("emergency.ladder", tasks.ladder_tick, every=dt.timedelta(seconds=10), label="一键通超时自动升级")
        # Its entries in the navigation bar (the portal shows what apps register).
        from minzheng.core import navigation
        from minzheng.emergency import access

        navigation.register("emergency", group="养老服务", group_order=40, order=20, entries=access.nav_entries)
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
