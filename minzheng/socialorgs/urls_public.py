"""Public pages (no account): the 社会组织 lookup."""

from __future__ import annotations

from django.urls import path

from minzheng.socialorgs import views_public

app_name = "socialorgs_public"

urlpatterns = [path("", views_public.lookup, name="lookup")]
