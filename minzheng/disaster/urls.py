from __future__ import annotations

from django.urls import path

from minzheng.disaster import views, views_stock, views_warning

app_name = "disaster"

urlpatterns = [
    path("", views.events, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/assess/", views.assess, name="assess"),
    path("events/<int:pk>/claim/", views.claim_new, name="claim_new"),
    path("events/<int:pk>/export/", views.export, name="export"),
    path("stock/", views_stock.stock_page, name="stock"),
    path("stock/add/<slug:what>/", views_stock.catalogue_add, name="catalogue_add"),
    path("stock/<int:pk>/", views_stock.warehouse, name="warehouse"),
    path("stock/<int:pk>/write-off/", views_stock.write_off, name="write_off"),
    path("issue/", views_stock.issue, name="issue"),
    path("distributions/<int:pk>/", views_stock.distribution, name="distribution"),
    path("distributions/<int:pk>/sign/", views_stock.sign, name="sign"),
    path("distributions/<int:pk>/return/", views_stock.give_back, name="return"),
    path("distributions/<int:pk>/signature.png", views_stock.signature, name="signature"),
    path("warnings/", views_warning.warnings, name="warnings"),
    path("warnings/new/", views_warning.warning_new, name="warning_new"),
    path("warnings/contacts/", views_warning.contact_new, name="contact_new"),
    path("warnings/<int:pk>/", views_warning.warning, name="warning"),
    path("calls/<int:pk>/", views_warning.call, name="call"),
    path("calls/<int:pk>/reveal/", views_warning.reveal, name="reveal"),
]
