from __future__ import annotations

from django.urls import path

from minzheng.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_message, name="open"),
]
