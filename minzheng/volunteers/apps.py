from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.volunteers"
    label = "volunteers"
    verbose_name = "社工与志愿服务"

    def ready(self) -> None:
        from minzheng.core import navigation
        from minzheng.scheduler.registry import register
        from minzheng.volunteers import access, figures, items, tasks  # noqa: F401 - items registers its producer

        # A cancelled or partly served time-bank order gives its hours back within the hour.
        register("volunteers.settle_draws", tasks.settle_draws, every=dt.timedelta(hours=1), label="时间银行兑换结清")
        navigation.register("volunteers", group="社工与志愿服务", group_order=62, order=10, entries=access.nav_entries)
        figures.register_all()
