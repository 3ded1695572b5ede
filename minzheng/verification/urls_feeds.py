"""部门数据 URLs (v1_feeds), included under /verification/feeds/ in the verification namespace."""

from __future__ import annotations

from django.urls import path

from minzheng.verification import views_feeds

urlpatterns = [
    path("", views_feeds.feeds, name="feeds"),
    path("jobs/<int:job_id>/", views_feeds.feed_job, name="feed_job"),
    path("deliveries/<int:delivery_id>/rejects/", views_feeds.feed_rejects, name="feed_rejects"),
]
