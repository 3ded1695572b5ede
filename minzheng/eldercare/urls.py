from __future__ import annotations

from django.urls import path

from minzheng.eldercare import views, views_door

app_name = "eldercare"
urlpatterns = [
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/lookup/", views.hotline_lookup, name="hotline_lookup"),
    path("elders/", views.elders, name="elders"),
    path("elders/new/", views.elder_new, name="elder_new"),
    path("elders/<int:elder_id>/", views.elder_detail, name="elder"),
    path("elders/<int:elder_id>/order/", views.order_place, name="order_place"),
    path("elders/<int:elder_id>/assess/", views.assess, name="assess"),
    path("elders/<int:elder_id>/condition/", views.elder_condition, name="condition"),
    path("elders/<int:elder_id>/bill/", views.elder_bill, name="bill"),
    path("elders/<int:elder_id>/location/", views.elder_location, name="elder_location"),
    path("elders/<int:elder_id>/family-link/", views.family_link_rotate, name="family_rotate"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("providers/", views.providers, name="providers"),
    path("providers/<int:provider_id>/caregivers/new/", views.caregiver_new, name="caregiver_new"),
    path("orders/", views.orders_list, name="orders"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("orders/<int:order_id>/<str:act>/", views.order_action, name="order_action"),
    path("orders/<int:order_id>/photos/<int:photo_id>/", views_door.order_photo, name="order_photo"),
    path("plan/", views.plan, name="plan"),
    path("flags/", views.flags, name="flags"),
    path("flags/<int:flag_id>/resolve/", views.flag_resolve, name="flag_resolve"),
    path("statements/", views.statements, name="statements"),
    path("statements/<int:statement_id>/", views.statement_detail, name="statement"),
    path("statements/<int:statement_id>/approve/", views.statement_approve, name="statement_approve"),
    path("statements/<int:statement_id>/export/", views.statement_download, name="statement_export"),
    path("my/", views_door.my_orders, name="my_orders"),
    path("my/<int:order_id>/", views_door.my_order, name="my_order"),
    path("my/<int:order_id>/photo/", views_door.my_order_photo, name="my_photo"),
    path("my/<int:order_id>/check-out/", views_door.my_order_check_out, name="my_check_out"),
    path("my/<int:order_id>/<str:act>/", views_door.my_order_step, name="my_step"),
    path("f/<str:token>/", views_door.family, name="family"),
]
