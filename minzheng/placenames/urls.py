from __future__ import annotations

from django.urls import path

from minzheng.placenames import views

app_name = "placenames"

urlpatterns = [
    path("", views.place_list, name="list"),
    path("new/", views.place_new, name="new"),
    path("<int:pk>/", views.place_detail, name="detail"),
    path("<int:pk>/signs/", views.sign_add, name="sign_add"),
    path("<int:pk>/addresses/", views.address_add, name="address_add"),
    path("applications/", views.application_list, name="applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/step/", views.application_step, name="application_step"),
    path("signs/", views.sign_list, name="signs"),
    path("signs/<int:pk>/", views.sign_detail, name="sign"),
    path("lookup/", views.public_lookup, name="public"),
]
