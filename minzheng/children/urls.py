from __future__ import annotations

from django.urls import path

from minzheng.children import views

app_name = "children"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("open/", views.child_open, name="open"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/situation/", views.situation_add, name="situation"),
    path("<int:pk>/guardian/", views.guardian_add, name="guardian"),
    path("<int:pk>/edit/", views.file_edit, name="edit"),
]
