from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.rescue"
    label = "rescue"
    verbose_name = "救助管理"

    def ready(self) -> None:
        # The stay machine binds the Stay model; items registers the producers and the referral action.
        from minzheng.rescue import items, services  # noqa: F401
        from minzheng.scheduler.registry import register

        # Daily, besides the 10-minute refresh of every producer: the morning list is current.
        register("rescue.items", items.refresh_rescue_items, daily_at=dt.time(7, 30), label="救助超期与漏访提醒")
        from minzheng.core import navigation
        from minzheng.rescue import access

        navigation.register("rescue", group="救助管理", group_order=60, order=10, entries=access.nav_entries)
