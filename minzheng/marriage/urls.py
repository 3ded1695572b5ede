from __future__ import annotations

from django.urls import path

from minzheng.marriage import views

app_name = "marriage"

urlpatterns = [
    path("", views.appointments, name="appointments"),
    path("appointments/new/", views.appointment_new, name="appointment_new"),
    path("appointments/<int:pk>/", views.appointment, name="appointment"),
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/<int:pk>/", views.registration, name="registration"),
    path("registrations/export/", views.registrations_export, name="registrations_export"),
    path("adoptions/", views.adoptions, name="adoptions"),
    path("adoptions/new/", views.adoption_new, name="adoption_new"),
]
