from __future__ import annotations

from django.urls import path

from minzheng.governance import views_community, views_credit, views_mediation, views_questions, views_topics

app_name = "governance"

urlpatterns = [
    path("", views_topics.topic_list, name="home"),
    path("topics/", views_topics.topic_list, name="topics"),
    path("topics/new/", views_topics.topic_new, name="topic_new"),
    path("topics/<int:pk>/", views_topics.topic_detail, name="topic"),
    path("topics/<int:pk>/<str:step>/", views_topics.topic_step, name="topic_step"),
    path("questions/", views_questions.question_list, name="questions"),
    path("questions/<int:pk>/", views_questions.question_detail, name="question"),
    path("questions/<int:pk>/<str:step>/", views_questions.question_step, name="question_step"),
    path("meetings/new/", views_questions.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views_questions.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/question/", views_questions.question_new, name="question_new"),
    path("credit/", views_credit.credit_home, name="credit"),
    path("credit/rules/adopt/", views_credit.rules_adopt, name="rules_adopt"),
    path("credit/rules/new/", views_credit.rule_new, name="rule_new"),
    path("credit/households/<int:pk>/", views_credit.household_ledger, name="household"),
    path("credit/households/<int:pk>/points/", views_credit.points_add, name="points_add"),
    path("credit/households/<int:pk>/redeem/", views_credit.redeem, name="redeem"),
    path("credit/items/new/", views_credit.item_add, name="item_add"),
    path("credit/items/<int:pk>/restock/", views_credit.item_restock, name="item_restock"),
    path("credit/fund/deposit/", views_credit.fund_deposit, name="fund_deposit"),
    path("credit/fund/payout/", views_credit.fund_payout, name="fund_payout"),
    path("mediation/", views_mediation.mediation_home, name="mediation"),
    path("mediation/committees/new/", views_mediation.committee_new, name="committee_new"),
    path("mediation/committees/<int:pk>/mediators/", views_mediation.mediator_add, name="mediator_add"),
    path("mediation/cases/new/", views_mediation.case_new, name="case_new"),
    path("mediation/cases/<int:pk>/", views_mediation.case_detail, name="case"),
    path("mediation/cases/<int:pk>/<str:step>/", views_mediation.case_step, name="case_step"),
    path("community/", views_community.community_home, name="community"),
    path("community/ratings/new/", views_community.rating_new, name="rating_new"),
    path("community/public/new/", views_community.public_item_new, name="public_item_new"),
    path("community/noproof/new/", views_community.noproof_new, name="noproof_new"),
]
