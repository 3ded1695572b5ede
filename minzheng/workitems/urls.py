from __future__ import annotations

from django.urls import path

from minzheng.workitems import views

app_name = "workitems"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/act/<slug:key>/", views.act, name="act"),
]
