from __future__ import annotations

from django.urls import path

from minzheng.core import views

app_name = "core"
urlpatterns = [path("", views.home, name="home")]
