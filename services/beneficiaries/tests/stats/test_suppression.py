"""Small-cell suppression attacked as an adversary would: from the published cells and the
published sums of one dimension, try to recompute every withheld cell."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from beneficiaries.stats.suppression import (
    THRESHOLD,
    is_small,
    published,
    suppressed_cells,
    suppressed_in_groups,
)

counts = st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=6)


def candidates(shown: list[int | None], total: int) -> list[tuple[int, ...]]:
    """Every assignment of counts ≥ 0 to the withheld cells that the published cells and total
    allow: what an attacker who knows all of them can narrow the truth down to."""
    hidden = sum(value is None for value in shown)
    rest = total - sum(value for value in shown if value is not None)
    return list(compositions(rest, hidden))


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way of writing ``total`` as ``parts`` counts ≥ 0, in order."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


def dimension(values: list[int]) -> tuple[dict[str, int], bool]:
    cells = {f"c{index}": value for index, value in enumerate(values)}
    total = sum(values)
    # The total is a figure like any other: withheld when it counts 1 to 4 people.
    return cells, not is_small(total)


@settings(max_examples=400, deadline=None)
@given(counts)
def test_no_withheld_cell_can_be_recomputed_from_one_dimension(values: list[int]) -> None:
    cells, total_published = dimension(values)
    withheld = suppressed_cells(cells, total_published=total_published)
    shown = list(published(cells, withheld).values())
    if not total_published:
        return  # nothing to subtract from
    hidden = [index for index, value in enumerate(shown) if value is None]
    possible = candidates(shown, sum(values))
    assert tuple(values[index] for index in hidden) in possible
    for position in range(len(hidden)):
        assert len({assignment[position] for assignment in possible}) > 1, (values, shown)


@settings(max_examples=400, deadline=None)
@given(counts, st.booleans())
def test_every_small_cell_is_withheld_and_only_what_is_needed_besides(
    values: list[int], total_published: bool
) -> None:
    cells = {f"c{index}": value for index, value in enumerate(values)}
    withheld = suppressed_cells(cells, total_published=total_published)
    small = {key for key, value in cells.items() if 0 < value < THRESHOLD}
    assert small <= withheld
    # At most one complement, and only when a lone small cell sits beside a published total.
    extra = withheld - small
    assert len(extra) <= 1
    if extra:
        assert total_published
        assert len(small) == 1


@settings(max_examples=300, deadline=None)
@given(counts, st.data())
def test_no_group_with_a_published_sum_keeps_a_single_withheld_cell(
    values: list[int], data: st.DataObject
) -> None:
    keys = [f"c{index}" for index in range(len(values))]
    cells = dict(zip(keys, values, strict=True))
    groups = data.draw(
        st.lists(st.lists(st.sampled_from(keys), min_size=1, unique=True), max_size=3)
    )
    withheld = suppressed_in_groups(cells, groups)
    assert {key for key in keys if 0 < cells[key] < THRESHOLD} <= withheld
    for group in groups:
        inside = [key for key in group if key in withheld]
        assert len(inside) != 1 or len(group) == 1, (cells, group, withheld)


def test_the_complement_is_the_smallest_cell_that_counts_somebody() -> None:
    cells = {"female": 3, "male": 0, "other": 9, "more": 7}
    assert suppressed_cells(cells, total_published=True) == {"female", "more"}
    assert suppressed_cells(cells, total_published=False) == {"female"}
    assert published({"a": 4, "b": 0}, {"a"}) == {"a": None, "b": 0}


def test_a_subtotal_gets_its_own_complement() -> None:
    # Placed people (positive outcomes) are published: among the positive types, one small
    # cell needs a complement there even when the whole dimension already has two.
    cells = {"employment": 9, "tpe": 2, "cooperative": 6, "none": 3}
    positive = ["employment", "tpe", "cooperative"]
    withheld = suppressed_in_groups(cells, [list(cells), positive])
    assert withheld == {"tpe", "none", "cooperative"}
