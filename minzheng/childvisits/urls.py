from __future__ import annotations

from django.urls import path

from minzheng.childvisits import views

app_name = "childvisits"

urlpatterns = [
    path("", views.plan, name="plan"),
    path("counts/", views.counts, name="counts"),
    path("child/<int:child_id>/", views.child, name="child"),
    path("child/<int:child_id>/visit/", views.visit, name="visit"),
    path("child/<int:child_id>/visit/<int:visit_id>/photo/", views.photo, name="photo"),
]
