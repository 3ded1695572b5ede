from __future__ import annotations

from django.urls import path

from minzheng.lifeevents import views, views_dept

app_name = "lifeevents"

urlpatterns = [
    path("", views.events, name="events"),
    path("window/", views.window, name="window"),
    path("open/", views.event_open, name="open"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.event_detail, name="event"),
    path("<int:pk>/proof/", views.proof_receive, name="proof"),
    path("changes/<int:pk>/", views.change_decide, name="change"),
    path("inbox/", views_dept.inbox, name="inbox"),
    path("tasks/<int:pk>/", views_dept.task_step_view, name="task"),
    path("family/<str:token>/", views.family, name="family"),
]
