from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("minzheng.portal.urls")),
    path("accounts/", include("minzheng.accounts.urls")),
    path("registry/", include("minzheng.registry.urls")),
    path("audit/", include("minzheng.audit.urls")),
    path("jobs/", include("minzheng.jobs.urls")),
    path("verification/", include("minzheng.verification.urls")),
    path("rules/", include("minzheng.rules.urls")),
    path("eldercare/", include("minzheng.eldercare.urls")),
    path("emergency/", include("minzheng.emergency.urls")),
    path("meals/", include("minzheng.meals.urls")),
    path("cases/", include("minzheng.cases.urls")),
    path("workitems/", include("minzheng.workitems.urls")),
    path("notifications/", include("minzheng.notifications.urls")),
    path("public/", include("minzheng.cases.urls_public")),
    path("workdays/", include("minzheng.workdays.urls")),
    path("payments/", include("minzheng.payments.urls")),
    path("children/", include("minzheng.children.urls")),
    path("rescue/", include("minzheng.rescue.urls")),
    path("lifeevents/", include("minzheng.lifeevents.urls")),
    path("institutions/", include("minzheng.institutions.urls")),
    path("funeral/", include("minzheng.funeral.urls")),
    path("marriage/", include("minzheng.marriage.urls")),
    path("childvisits/", include("minzheng.childvisits.urls")),
    path("dashboard/", include("minzheng.dashboard.urls")),
    path("placenames/", include("minzheng.placenames.urls")),
    path("volunteers/", include("minzheng.volunteers.urls")),
    path("disaster/", include("minzheng.disaster.urls")),
    path("socialorgs/", include("minzheng.socialorgs.urls")),
    path("public/socialorgs/", include("minzheng.socialorgs.urls_public")),
    path("governance/", include("minzheng.governance.urls")),
    path("gongkai/", include("minzheng.governance.urls_public")),  # a community's public board
    path("api/v1/", include("minzheng.api.urls")),
]
