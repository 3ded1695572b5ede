from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    """The shell around every page: the home page and the navigation bar built from what apps register."""

    name = "minzheng.portal"
    label = "portal"
    verbose_name = "门户"
