from __future__ import annotations

from django.urls import path

from minzheng.funeral import views, views_ledger

app_name = "funeral"

urlpatterns = [
    path("", views.home, name="home"),
    path("cremations/new/", views.cremation_new, name="cremation_new"),
    path("cremations/<int:pk>/", views.cremation, name="cremation"),
    path("cremations/<int:pk>/ashes/", views.ashes, name="ashes"),
    path("burials/", views.burials, name="burials"),
    path("burials/new/", views.burial_new, name="burial_new"),
    path("burials/<int:pk>/", views.burial, name="burial"),
    path("burials/<int:pk>/decide/", views.decide, name="decide"),
    path("burials/export/", views.burials_export, name="burials_export"),
    path("cemeteries/", views_ledger.cemeteries, name="cemeteries"),
    path("cemeteries/<int:pk>/", views_ledger.cemetery, name="cemetery"),
    path("plots/<int:pk>/state/", views_ledger.plot_state, name="plot_state"),
    path("cleanup/", views_ledger.cleanup, name="cleanup"),
    path("cleanup/<int:pk>/done/", views_ledger.site_done, name="site_done"),
    path("cleanup/export/", views_ledger.cleanup_export, name="cleanup_export"),
    path("assistants/", views_ledger.assistants, name="assistants"),
]
