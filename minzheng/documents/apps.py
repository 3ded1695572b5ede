from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.documents"
    label = "documents"
    verbose_name = "附件"
