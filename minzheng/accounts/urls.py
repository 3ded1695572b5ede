from __future__ import annotations

from django.urls import path

from minzheng.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_view, name="password"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/unlock/", views.unlock, name="unlock"),
    path("users/<int:user_id>/deactivate/", views.deactivate, name="deactivate"),
    path("users/<int:user_id>/activate/", views.activate, name="activate"),
    path("users/<int:user_id>/revoke-tokens/", views.revoke_tokens, name="revoke_tokens"),
]
