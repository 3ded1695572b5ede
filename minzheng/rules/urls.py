from __future__ import annotations

from django.urls import path

from minzheng.rules import views

app_name = "rules"
urlpatterns = [
    path("households/<int:household_id>/panel/", views.household_panel, name="household_panel"),
    path("params/", views.params_page, name="params"),
    path("params/propose/", views.param_propose, name="param_propose"),
    path("params/changes/<int:change_id>/decide/", views.param_decide, name="param_decide"),
]
