"""Pages anyone may open without an account: a community's public board (公开栏)."""

from __future__ import annotations

from django.urls import path

from minzheng.governance import views_community

app_name = "governance_public"

urlpatterns = [path("<str:code>/", views_community.board, name="board")]
