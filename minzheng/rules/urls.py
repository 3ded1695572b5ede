from __future__ import annotations

from django.urls import path

from minzheng.rules import views, views_eligibility

app_name = "rules"
urlpatterns = [
    path("households/<int:household_id>/panel/", views_eligibility.household_panel, name="household_panel"),
    path("params/", views.params_page, name="params"),
    path("params/propose/", views.param_propose, name="param_propose"),
    path("params/changes/<int:change_id>/decide/", views.param_decide, name="param_decide"),
    path("worklist/", views_eligibility.worklist, name="worklist"),
    path("worklist/export/", views_eligibility.worklist_download, name="worklist_export"),
    path("runs/", views_eligibility.runs, name="runs"),
    path("runs/<int:run_id>/", views_eligibility.run_detail, name="run"),
    path("whatif/", views_eligibility.whatif, name="whatif"),
]
