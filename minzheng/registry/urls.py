from __future__ import annotations

from django.urls import path

from minzheng.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.search, name="search"),
    path("export/", views.export, name="export"),
    path("import/", views.import_page, name="import"),
    path("persons/<int:person_id>/", views.person_detail, name="person"),
    path("persons/<int:person_id>/unmask/", views.person_unmask, name="unmask"),
    path("persons/<int:person_id>/edit/", views.person_edit, name="edit"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/<int:household_id>/", views.household_detail, name="household"),
    path("households/<int:household_id>/members/", views.person_add, name="person_add"),
]
