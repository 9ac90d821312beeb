"""A stream that says it is a terminal, for the tests of what long commands draw there."""

from __future__ import annotations

import io
import re

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    @property
    def text(self) -> str:
        """What was drawn, without the colours and cursor moves."""
        return _ESCAPES.sub("", self.getvalue())
