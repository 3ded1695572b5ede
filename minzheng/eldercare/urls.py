from __future__ import annotations

from minzheng.eldercare import views  # noqa: F401

app_name = "eldercare"
urlpatterns: list = []
