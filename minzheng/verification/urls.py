from __future__ import annotations

from django.urls import include, path

from minzheng.verification import views, views_batch, views_report

app_name = "verification"
urlpatterns = [
    path("feeds/", include("minzheng.verification.urls_feeds")),  # 部门数据 (v1_feeds)
    path("households/<int:household_id>/panel/", views.household_panel, name="household_panel"),
    path("matches/", views.match_review, name="match_review"),
    path("matches/<int:candidate_id>/", views.match_candidate, name="match_candidate"),
    path("matches/confirm-bulk/", views.match_bulk_confirm, name="match_bulk_confirm"),
    path("matches/<int:candidate_id>/decide/", views.match_decide, name="match_decide"),
    path("worklist/", views_batch.worklist, name="worklist"),
    path("worklist/export/", views_batch.worklist_download, name="worklist_export"),
    path("batch/", views_batch.batch_runs, name="batch_runs"),
    path("batch/new/", views_batch.batch_run_new, name="batch_run_new"),
    path("batch/<int:run_id>/continue/", views_batch.batch_run_continue, name="batch_run_continue"),
    # 一键核对 and the 核对报告 (v2_household)
    path("households/<int:household_id>/verify/", views_report.household_verify, name="household_verify"),
    path("reports/<int:report_id>/", views_report.report_detail, name="report"),
    path("reports/<int:report_id>/download/<str:fmt>/", views_report.report_download, name="report_download"),
]
