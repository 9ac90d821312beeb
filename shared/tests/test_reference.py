from __future__ import annotations

from shared import reference
from shared.reference import Sector


def test_twelve_regions_with_arabic_names() -> None:
    regions = reference.regions()
    assert [r.code for r in regions] == [f"{n:02d}" for n in range(1, 13)]
    assert all(r.name_ar and not r.name_ar.isascii() for r in regions)
    assert {r.code for r in regions if r.pilot} == {"01", "02"}


def test_provinces_belong_to_pilot_regions() -> None:
    provinces = reference.provinces()
    assert {p.region_code for p in provinces} == {"01", "02"}
    assert all(p.code.startswith(p.region_code + ".") for p in provinces)
    assert any(p.name_fr == "Tétouan" for p in provinces)


def test_vocabularies_are_complete() -> None:
    assert len(reference.isced_fields()) == 11
    assert [g.code for g in reference.isco_groups()] == [str(n) for n in range(10)]
    assert {s.code for s in reference.sectors() if s.programme_priority} == {
        Sector.TOURISM,
        Sector.RENEWABLE_ENERGY,
        Sector.CRAFTS,
        Sector.TEXTILE,
    }
    assert {o.code for o in reference.outcome_types()} == {
        "employment",
        "very_small_business",
        "cooperative",
        "self_employed",
    }
