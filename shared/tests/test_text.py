"""The folded search text: French accents, Arabic spelling variants, digits."""

from __future__ import annotations

import pytest

from shared.text import fold, search_terms


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Électricité du Bâtiment", "electricite du batiment"),
        ("L'œuvre d'art – niveau ٣", "l oeuvre d art niveau 3"),
        ("CUISINE MAROCAINE", "cuisine marocaine"),
        ("Straße", "strasse"),
        ("الكهرباء المنزليّة", "الكهرباء المنزليه"),  # shadda dropped, teh marbuta as heh
        ("أَلْكَهْرَبَاء", "الكهرباء"),  # harakat and hamza on alef dropped
        ("إصلاح السيارات", "اصلاح السيارات"),
        ("مستشفى", "مستشفي"),  # alef maqsura as yeh
        ("تـــطوير", "تطوير"),  # tatweel
        ("snake_case / 50%", "snake case 50"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_search_terms_are_folded_words() -> None:
    assert search_terms("  Électricité   BÂTIMENT ") == ["electricite", "batiment"]
    assert search_terms("%_") == []
