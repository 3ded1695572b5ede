from __future__ import annotations

from django.urls import path

from minzheng.payments import views, views_overpayments, views_payroll, views_standards

app_name = "payments"

urlpatterns = [
    path("", views.entitlement_list, name="entitlements"),
    path("entitlements/<int:pk>/", views.entitlement_detail, name="entitlement"),
    path("entitlements/<int:pk>/account/", views.account_change, name="account"),
    path("entitlements/<int:pk>/<str:action>/", views.entitlement_action, name="entitlement_action"),
    path("runs/", views_payroll.run_list, name="runs"),
    path("runs/new/", views_payroll.run_create, name="run_create"),
    path("runs/<int:pk>/", views_payroll.run_detail, name="run"),
    path("runs/<int:pk>/approve/", views_payroll.run_approve_view, name="run_approve"),
    path("runs/<int:pk>/bank-file/", views_payroll.run_bank_file, name="run_bank_file"),
    path("runs/<int:pk>/roster/", views_payroll.run_roster, name="run_roster"),
    path("runs/<int:pk>/return/", views_payroll.run_return, name="run_return"),
    path("runs/<int:pk>/supplementary/", views_payroll.run_supplement, name="run_supplement"),
    path("standards/", views_standards.standards, name="standards"),
    path("standards/request/", views_standards.standards_request, name="standards_request"),
    path("standards/apply/", views_standards.standards_apply, name="standards_apply"),
    path("overpayments/", views_overpayments.overpayment_list, name="overpayments"),
    path("overpayments/<int:pk>/", views_overpayments.overpayment_detail, name="overpayment"),
    path("overpayments/<int:pk>/repayments/", views_overpayments.repayment_add, name="repayment_add"),
    path("overpayments/<int:pk>/write-off/", views_overpayments.write_off, name="write_off"),
    path("overpayments/<int:pk>/write-off/approve/", views_overpayments.write_off_ok, name="write_off_approve"),
    path("overpayments/<int:pk>/write-off/reject/", views_overpayments.write_off_no, name="write_off_reject"),
    path("overpayments/<int:pk>/instalments/", views_overpayments.instalments_set, name="instalments"),
    path("overpayments/<int:pk>/letter/", views_overpayments.recovery_letter, name="recovery_letter"),
]
