from __future__ import annotations

from django.urls import path

from minzheng.socialorgs import views, views_reports, views_supervise, views_venture

app_name = "socialorgs"

urlpatterns = [
    path("", views.org_list, name="list"),
    path("new/", views.org_new, name="new"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/change/", views.org_change, name="change"),
    path("<int:pk>/rating/", views.org_rating, name="rating"),
    path("<int:pk>/revoke/", views.org_revoke, name="revoke"),
    path("<int:pk>/status/<str:what>/", views.org_status, name="status"),
    path("filings/<int:pk>/", views.filing_detail, name="filing"),
    path("reports/", views_reports.report_list, name="reports"),
    path("reports/<int:pk>/", views_reports.report_detail, name="report"),
    path("mine/", views_reports.mine, name="mine"),
    path("mine/reports/<int:year>/", views_reports.my_report, name="my_report"),
    path("mine/ventures/", views_venture.my_ventures, name="my_ventures"),
    path("draws/", views_supervise.draws, name="draws"),
    path("draws/<int:pk>/", views_supervise.draw_detail, name="draw"),
    path("inspections/<int:pk>/", views_supervise.inspection_detail, name="inspection"),
    path("findings/<int:pk>/done/", views_supervise.finding_done, name="finding_done"),
    path("leads/", views_supervise.leads, name="leads"),
    path("leads/<int:pk>/", views_supervise.lead_detail, name="lead"),
    path("strength/", views_supervise.strength, name="strength"),
    path("ventures/", views_venture.rounds, name="rounds"),
    path("ventures/<int:pk>/", views_venture.round_detail, name="round"),
    path("ventures/applications/<int:pk>/", views_venture.application_detail, name="application"),
]
