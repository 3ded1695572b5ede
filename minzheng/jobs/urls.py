from __future__ import annotations

from django.urls import path

from minzheng.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<int:job_id>/", views.detail, name="detail"),
    path("<int:job_id>/rejects/", views.rejects, name="rejects"),
    path("<int:job_id>/cancel/", views.cancel, name="cancel"),
]
