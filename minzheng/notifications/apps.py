from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from minzheng.notifications.services import deliver_pending
        from minzheng.scheduler.registry import register

        # Delivery never depends on the page that caused the message: the worker sends the outbox.
        register("notifications.deliver", deliver_pending, every=dt.timedelta(seconds=30), label="发送待发消息")
