from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.funeral"
    label = "funeral"
    verbose_name = "殡葬管理"

    def ready(self) -> None:
        from minzheng.core import navigation
        from minzheng.core.figures import register_app
        from minzheng.funeral import access, items, services_feed  # noqa: F401  (items registers its producer)
        from minzheng.scheduler.registry import register as schedule

        navigation.register("funeral", group="殡葬管理", group_order=71, order=10, entries=access.nav_entries)
        # Daily: cremations the feed brought that the funeral home did not record start their 身后一件事.
        schedule("funeral.link_feed", services_feed.link_feed, daily_at=dt.time(6, 40), label="火化数据关联火化记录")
        register_app("minzheng.funeral")
