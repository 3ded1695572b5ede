"""基层治理 models, one module per topic (Django finds them through these imports)."""

from __future__ import annotations

from minzheng.governance.models_community import NoProofItem, PublicItem, StarRating
from minzheng.governance.models_credit import (
    CreditAccount,
    CreditEntry,
    CreditFund,
    CreditRule,
    FundEntry,
    FundPayout,
    Redemption,
    ShopItem,
)
from minzheng.governance.models_ledger import Meeting, Question
from minzheng.governance.models_mediation import Committee, FollowUp, MediationCase, Mediator, Party
from minzheng.governance.models_topics import Opinion, Participant, Topic

__all__ = [
    "Committee",
    "CreditAccount",
    "CreditEntry",
    "CreditFund",
    "CreditRule",
    "FollowUp",
    "FundEntry",
    "FundPayout",
    "MediationCase",
    "Mediator",
    "Meeting",
    "NoProofItem",
    "Opinion",
    "Participant",
    "Party",
    "PublicItem",
    "Question",
    "Redemption",
    "ShopItem",
    "StarRating",
    "Topic",
]
