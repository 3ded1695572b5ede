from __future__ import annotations

from minzheng.emergency import views  # noqa: F401

app_name = "emergency"
urlpatterns: list = []
