from __future__ import annotations

from django.urls import path

from minzheng.rescue import views

app_name = "rescue"

urlpatterns = [
    path("", views.stays, name="stays"),
    path("intake/", views.intake, name="intake"),
    path("stays/<int:pk>/", views.stay, name="stay"),
    path("stays/<int:pk>/photos/<int:attachment_id>/", views.photo, name="photo"),
    path("stays/<int:pk>/<slug:act>/", views.stay_act, name="stay_act"),
    path("ledger/", views.ledger_list, name="ledger"),
    path("ledger/export/", views.ledger_export, name="export"),
    path("ledger/new/", views.wander_new, name="wander_new"),
    path("ledger/<int:pk>/", views.entry, name="entry"),
    path("ledger/<int:pk>/followup/", views.followup, name="followup"),
    path("ledger/<int:pk>/close/", views.close, name="close"),
    path("due/", views.due, name="due"),
]
