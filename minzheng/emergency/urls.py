from __future__ import annotations

from django.urls import path

from minzheng.emergency import views

app_name = "emergency"
urlpatterns = [
    path("", views.console, name="console"),
    path("poll/", views.console_poll, name="console_poll"),
    path("red-call/", views.red_call, name="red_call"),
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident"),
    path("incidents/<int:incident_id>/answer/", views.incident_answer, name="answer"),
    path("incidents/<int:incident_id>/escalate/", views.incident_escalate, name="escalate"),
    path("incidents/<int:incident_id>/close/", views.incident_close, name="close"),
    path("devices/", views.devices, name="devices"),
]
