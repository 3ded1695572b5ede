from __future__ import annotations

from django.urls import path

from minzheng.meals import views

app_name = "meals"
urlpatterns = [
    path("", views.canteens, name="canteens"),
    path("canteens/<int:canteen_id>/", views.canteen_detail, name="canteen"),
    path("canteens/<int:canteen_id>/menus/", views.menu_publish, name="menu_publish"),
    path("canteens/<int:canteen_id>/orders/", views.order_place, name="order_place"),
    path("orders/<int:order_id>/hand-over/", views.order_hand_over, name="hand_over"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="cancel"),
    path("settlements/", views.settlements, name="settlements"),
    path("settlements/<int:settlement_id>/", views.settlement_detail, name="settlement"),
    path("settlements/<int:settlement_id>/approve/", views.settlement_approve, name="approve"),
    path("settlements/<int:settlement_id>/export/", views.settlement_download, name="export"),
]
