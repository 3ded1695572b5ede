from __future__ import annotations

from django.urls import path

from minzheng.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("window/", views.window, name="window"),
    path("window/open/", views.case_open, name="open"),
    path("window/refuse/", views.window_refuse, name="refuse"),
    path("refusals/<str:number>/", views.refusal, name="refusal"),
    path("refusals/<str:number>/pdf/", views.refusal_pdf, name="refusal_pdf"),
    path("<str:case_no>/", views.case_detail, name="detail"),
    path("<str:case_no>/step/", views.case_step, name="step"),
    path("<str:case_no>/objections/", views.objection_add, name="objection_add"),
    path("<str:case_no>/objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("<str:case_no>/letters/<str:number>/", views.letter_download, name="letter"),
    path("<str:case_no>/attachments/<int:pk>/", views.attachment, name="attachment"),
]
