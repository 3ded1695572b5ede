from __future__ import annotations

from django.urls import path

from minzheng.verification import views

app_name = "verification"
urlpatterns = [
    path("households/<int:household_id>/panel/", views.household_panel, name="household_panel"),
    path("matches/", views.match_review, name="match_review"),
    path("matches/<int:candidate_id>/decide/", views.match_decide, name="match_decide"),
]
