from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.accounts"
    label = "accounts"

    def ready(self) -> None:
        from minzheng.accounts import checks  # noqa: F401  registers the deploy checks
