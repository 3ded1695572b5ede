from __future__ import annotations

from minzheng.meals import views  # noqa: F401

app_name = "meals"
urlpatterns: list = []
