from __future__ import annotations

from django.urls import path

from minzheng.volunteers import views, views_activity, views_phone

app_name = "volunteers"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("stations/new/", views.station_create, name="station_create"),
    path("stations/<int:pk>/", views.station, name="station"),
    path("stations/<int:pk>/workers/", views.worker_add, name="worker_add"),
    path("list/", views.volunteer_list, name="list"),
    path("register/", views.volunteer_register, name="register"),
    path("v/<int:pk>/", views.volunteer_detail, name="detail"),
    path("v/<int:pk>/edit/", views.volunteer_edit, name="edit"),
    path("v/<int:pk>/link/", views.volunteer_link, name="link"),
    path("v/<int:pk>/certificate.pdf", views.volunteer_certificate, name="certificate"),
    path("activities/", views_activity.activities, name="activities"),
    path("activities/new/", views_activity.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views_activity.activity, name="activity"),
    path("activities/<int:pk>/close/", views_activity.activity_close, name="activity_close"),
    path("activities/<int:pk>/a/<int:att_id>/", views_activity.attendance_confirm, name="confirm"),
    path("timebank/", views_activity.accounts, name="accounts"),
    path("timebank/<int:pk>/", views_activity.account, name="account"),
    path("timebank/<int:pk>/transfer/", views_activity.transfer, name="transfer"),
    path("timebank/<int:pk>/draw/", views_activity.draw, name="draw"),
    path("me/", views_phone.me, name="me"),
    path("me/certificate.pdf", views_phone.my_certificate, name="my_certificate"),
    path("me/a/<int:pk>/", views_phone.activity, name="phone_activity"),
    path("me/a/<int:pk>/in/", views_phone.sign, {"what": "in"}, name="sign_in"),
    path("me/a/<int:pk>/out/", views_phone.sign, {"what": "out"}, name="sign_out"),
]
