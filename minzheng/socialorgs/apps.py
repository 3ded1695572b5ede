from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.socialorgs"
    label = "socialorgs"
    verbose_name = "社会组织"

    def ready(self) -> None:
        # flow binds the models to their machines; materials and services_venture register guards; items the producers.
        from minzheng.core import navigation
        from minzheng.scheduler.registry import register
        from minzheng.socialorgs import access, figures, flow, items, materials, services_venture  # noqa: F401

        register("socialorgs.items", items.refresh_items, daily_at=dt.time(7, 20), label="社会组织年报、登记与监管提醒")
        navigation.register("socialorgs", group="社会组织", group_order=68, order=10, entries=access.nav_entries)
        figures.register_all()
