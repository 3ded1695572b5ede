from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.children"
    label = "children"
    verbose_name = "儿童福利"
