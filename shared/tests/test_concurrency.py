from __future__ import annotations

import pytest

from shared.concurrency import check_if_match, etag
from shared.problems import ProblemError


def test_if_match_accepts_current_star_or_absent() -> None:
    check_if_match(None, 3)
    check_if_match('"3"', 3)
    check_if_match('W/"3"', 3)
    check_if_match('"1", "3"', 3)
    check_if_match("*", 3)


def test_stale_if_match_is_412_with_current_etag() -> None:
    with pytest.raises(ProblemError) as stale:
        check_if_match('"2"', 3)
    assert stale.value.status == 412
    assert stale.value.headers == {"ETag": etag(3)}
