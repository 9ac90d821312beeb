"""Small-cell suppression of the published figures, as a pure function the tests can attack.

A figure counting 1 to 4 people could single someone out ("the only woman of association X who
left without a job"), so it is withheld (primary suppression). Withholding it is not enough when
the sum of a group of cells is published too (a dimension's total, or a subtotal such as the
people placed, which the four positive outcome types add up to): with every other cell of the
group and its sum in hand, the missing cell is a subtraction away. So wherever a group with a
published sum has exactly one withheld cell, a second cell of the group is withheld as well
(complementary suppression): the smallest other cell that counts somebody, or failing that the
smallest other one; and again, until no group is left with a single withheld cell (a cell
withheld for one group may leave another with one).

With two withheld cells or more in a group, the published figures only tell their sum, and any
one of them can be anything from 0 to that sum: the attacker's model is "a withheld cell is a
count ≥ 0", since a complementary cell may hold any count.

A cell of 0 people describes nobody and is published. A total under the threshold is itself
withheld (it is a cell of the figures above it), and then its group needs no complement.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

THRESHOLD = 5


def is_small(count: int, threshold: int = THRESHOLD) -> bool:
    """Whether ``count`` people are too few to publish (1 to ``threshold`` - 1)."""
    return 0 < count < threshold


def _complement(cells: Mapping[K, int], group: Sequence[K], withheld: set[K]) -> K | None:
    others = [(cells[key], index, key) for index, key in enumerate(group) if key not in withheld]
    counting = [entry for entry in others if entry[0] > 0]
    candidates = counting or others
    return min(candidates, key=lambda entry: entry[:2])[2] if candidates else None


def suppressed_in_groups(
    cells: Mapping[K, int],
    published_sums: Sequence[Collection[K]],
    threshold: int = THRESHOLD,
) -> frozenset[K]:
    """The keys of ``cells`` to withhold, given the groups of cells whose sums are published.

    ``cells`` are in their published order: ties between equally small cells go to the first."""
    order = {key: index for index, key in enumerate(cells)}
    groups = [sorted(set(group), key=order.__getitem__) for group in published_sums]
    withheld = {key for key, count in cells.items() if is_small(count, threshold)}
    changed = True
    while changed:
        changed = False
        for group in groups:
            if sum(key in withheld for key in group) == 1:
                extra = _complement(cells, group, withheld)
                if extra is not None:
                    withheld.add(extra)
                    changed = True
    return frozenset(withheld)


def suppressed_cells(
    cells: Mapping[K, int], *, total_published: bool, threshold: int = THRESHOLD
) -> frozenset[K]:
    """The keys of one dimension's ``cells`` to withhold, its total published or not."""
    groups = [list(cells)] if total_published else []
    return suppressed_in_groups(cells, groups, threshold)


def published(cells: Mapping[K, int], withheld: Collection[K]) -> dict[K, int | None]:
    """``cells`` as published: withheld counts replaced by ``None``."""
    return {key: None if key in withheld else count for key, count in cells.items()}
