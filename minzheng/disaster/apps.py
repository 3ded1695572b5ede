from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.disaster"
    label = "disaster"
    verbose_name = "灾害救助"

    def ready(self) -> None:
        # guards/effects of the relief case types, the 待办 producers and the engine's household facts register here.
        from minzheng.core import navigation
        from minzheng.disaster import access, facts, figures, guards, items  # noqa: F401
        from minzheng.scheduler.registry import register

        # Calls unanswered are urgent: every 5 minutes (the 待办 refresh runs every 10).
        register(
            "disaster.items",
            items.refresh_disaster_items,
            every=dt.timedelta(minutes=5),
            label="预警未叫应、物资临期与未签收",
        )
        register("disaster.relief_sweep", guards.relief_sweep, daily_at=dt.time(6, 10), label="灾害救助确认后补建发放")
        navigation.register("disaster", group="灾害救助", group_order=65, order=10, entries=access.nav_entries)
        figures.register_all()
