"""Relevance: offers score high, decoys are pushed down, and the rules say why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Enrich = Callable[[str], dict[str, Any]]

OFFER = "🚤🇱🇾➡️🇮🇹 رحلة جديدة من زوارة لـ لامبيدوزا، السعر 3500 يورو للنفر، النص مقدم، للحجز واتساب 0913307452"
NEWS = (
    "أعلنت السلطات الليبية القبض على خمسة أشخاص يشتبه في تورطهم بتهريب المهاجرين من سواحل صبراتة نحو جزيرة "
    "لامبيدوزا. وقال مصدر أمني إن الشبكة كانت تتقاضى نحو 3000 يورو من كل مهاجر."
)


def test_offer_outscores_news_about_the_same_route(enrich: Enrich) -> None:
    offer, news = enrich(OFFER), enrich(NEWS)
    assert offer["score"] > 0.8
    assert news["score"] < 0.3
    assert offer["score"] > news["score"]


def test_fired_rules_explain_the_score(enrich: Enrich) -> None:
    rules = {r["rule"]: r["weight"] for r in enrich(NEWS)["rules"]}
    assert rules["news_vocabulary"] < 0
    assert rules["has_route"] > 0


def test_warning_is_pushed_down(enrich: Enrich) -> None:
    warning = enrich("⚠️ تحذير: لا تصدقوا إعلانات السفر المضمون، لا تدفعوا عربون لأي شخص على تلغرام")
    assert warning["score"] < 0.3
    assert any(r["rule"] == "warning_vocabulary" for r in warning["rules"])


def test_score_is_a_probability(enrich: Enrich) -> None:
    for text in ("", "🚤", OFFER, NEWS):
        assert 0.0 <= enrich(text)["score"] <= 1.0
