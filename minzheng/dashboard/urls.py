from __future__ import annotations

from django.urls import path

from minzheng.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.board, name="board"),
    path("screen/", views.screen, name="screen"),
    path("data/", views.data, name="data"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("report.pdf", views.report_pdf, name="report"),
]
