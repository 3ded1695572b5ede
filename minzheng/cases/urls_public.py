"""Pages anyone may open without an account: the 公示 of a case (masked)."""

from __future__ import annotations

from django.urls import path

from minzheng.cases import views

app_name = "public"

urlpatterns = [path("gongshi/<str:token>/", views.publicity_public, name="publicity")]
