"""Column types every service may use."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class CodeList(TypeDecorator[list[str]]):
    """A short list of codes stored as ``,a,b,`` so one code is found with ``LIKE '%,a,%'`` on
    both databases; an empty list is stored as ``''``."""

    impl = String(300)
    cache_ok = True

    def process_bind_param(self, value: Sequence[str] | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        codes = [str(code) for code in value]
        if any("," in code for code in codes):
            raise ValueError("a code may not contain a comma")
        return f",{','.join(codes)}," if codes else ""

    def process_result_value(self, value: str | None, dialect: Dialect) -> list[str] | None:
        if not value:
            return None if value is None else []
        return value[1:-1].split(",")


def contains_code(code: str) -> str:
    """The ``LIKE`` pattern of a :class:`CodeList` column holding ``code``."""
    return f"%,{code},%"
