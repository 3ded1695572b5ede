from __future__ import annotations

from django.urls import path

from minzheng.workdays import views

app_name = "workdays"

urlpatterns = [
    path("", views.holidays, name="holidays"),
    path("import/", views.holidays_upload, name="import"),
]
