from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.children"
    label = "children"
    verbose_name = "儿童福利"

    def ready(self) -> None:
        from minzheng.children import access, feeds, tasks
        from minzheng.core import navigation
        from minzheng.scheduler.registry import register
        from minzheng.verification.tasks import AFTER_BATCH

        if feeds.after_batch not in AFTER_BATCH:
            AFTER_BATCH.append(feeds.after_batch)  # a parent's death or prison reaches the 儿童主任 the same day
        register("children.categories", tasks.daily_categories, daily_at=dt.time(1, 30), label="儿童类别每日判定")
        register("children.feeds", tasks.daily_feeds, daily_at=dt.time(6, 40), label="儿童父母情形部门数据比对")
        navigation.register("children", group="儿童福利", group_order=35, order=10, entries=access.nav_entries)
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
