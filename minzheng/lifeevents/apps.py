from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.lifeevents"
    label = "lifeevents"
    verbose_name = "一件事联办"

    def ready(self) -> None:
        # services binds the task machine and registers the guards; feeds drafts from the cremation/hukou feeds.
        from minzheng.lifeevents import feeds, items, services, services_tasks  # noqa: F401
        from minzheng.scheduler.registry import register

        register(
            "lifeevents.feeds",
            feeds.drafts_from_feeds,
            daily_at=dt.time(5, 45),
            label="火化、户籍注销数据起草身后一件事",
        )
        from minzheng.verification.tasks import AFTER_BATCH

        if feeds.after_batch not in AFTER_BATCH:
            AFTER_BATCH.append(feeds.after_batch)  # a death in the day's feeds is drafted the same day
        from minzheng.core import navigation
        from minzheng.lifeevents import access

        navigation.register("lifeevents", group="一件事", group_order=73, order=10, entries=access.nav_entries)
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
