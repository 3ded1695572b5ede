from __future__ import annotations

from django.urls import path

from minzheng.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/unlock/", views.unlock, name="unlock"),
]
