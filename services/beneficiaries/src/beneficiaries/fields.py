"""Free texts of this service: no control character (a NUL byte cannot even be stored by
PostgreSQL), surrounding spaces dropped, bounded."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from shared.fields import text
from shared.problems import field_error

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _printable(value: str) -> str:
    if _CONTROL.search(value):
        raise field_error("control_characters")
    return value


Printable = AfterValidator(_printable)
Commune = Annotated[str, text(120), Printable]
