from __future__ import annotations

from django.urls import path

from minzheng.institutions import views, views_facilities, views_quality

app_name = "institutions"

urlpatterns = [
    path("", views.institution_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.institution_edit, name="new"),
    path("<int:pk>/", views.institution_detail, name="detail"),
    path("<int:pk>/edit/", views.institution_edit, name="edit"),
    path("<int:pk>/account/", views.account_set, name="account"),
    path("<int:pk>/admit/", views.admit, name="admit"),
    path("<int:pk>/rating/", views_quality.rating_new, name="rating"),
    path("<int:pk>/inspect/", views_quality.inspection_plan, name="plan"),
    path("<int:pk>/subsidy/", views_quality.subsidy_build, name="subsidy_build"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("inspections/<int:pk>/", views_quality.inspection_detail, name="inspection"),
    path("subsidies/<int:pk>/", views_quality.subsidy_detail, name="subsidy"),
    path("coverage/", views_facilities.coverage, name="coverage"),
    path("facilities/new/", views_facilities.facility_edit, name="facility_new"),
    path("facilities/<int:pk>/", views_facilities.facility_edit, name="facility_edit"),
]
