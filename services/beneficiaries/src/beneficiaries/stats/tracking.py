"""Which writes change the figures: each one leaves a marker for the association whose figures
it changes, in its own transaction, so the rollup (``stats.models``) is rebuilt before the
next figure is read.

The markers are written by the session itself, after every flush, for every record of a
counted table inserted, deleted, or changed in a counted column (``COUNTED``): no service
function has to remember it, and a new write path is covered the day it is written. A write
by statement (``update(Outcome)…``) has no record to look at, so it is refused on a counted
table unless it says what it does to the figures: ``figures_unchanged`` (it writes no counted
column) or ``figures_marked`` (it called :func:`mark` for what it changed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import Table, Uuid, column, event, insert, inspect, select, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session

# The columns of each table the rollup reads (``stats.rollup``; a test checks the two agree).
COUNTED: dict[str, frozenset[str]] = {
    "beneficiary": frozenset(
        {"id", "association_id", "region", "sex", "birth_date", "criteria", "created_at"}
        | {"exited_at"}
    ),
    "consent": frozenset(
        {"id", "beneficiary_id", "purpose", "status", "decision_date", "recorded_at"}
    ),
    "outcome": frozenset({"id", "beneficiary_id", "type", "outcome_date", "sector"}),
    "follow_up": frozenset(
        {"outcome_id", "beneficiary_id", "month", "due_date", "status", "outcome_holds"}
    ),
    "referral": frozenset({"id", "beneficiary_id"}),
    "referral_event": frozenset({"referral_id", "status", "occurred_at"}),
}

# Execution options of a statement writing a counted table.
FIGURES_UNCHANGED = {"figures_unchanged": True}
FIGURES_MARKED = {"figures_marked": True}


class UntrackedWrite(RuntimeError):
    """A statement writes a counted table without saying what it does to the figures."""


def _values(state: Any, name: str) -> list[Any]:
    """The attribute's value now and, if it changed in this flush, before."""
    history = state.attrs[name].history
    return [value for value in (*history.added, *history.unchanged, *history.deleted) if value]


def _changed(state: Any, columns: frozenset[str]) -> bool:
    return any(state.attrs[name].history.has_changes() for name in columns if name in state.attrs)


class _Touched:
    """What a flush changed, by what leads to an association."""

    def __init__(self) -> None:
        self.associations: set[UUID] = set()
        self.people: set[UUID] = set()
        self.referrals: set[UUID] = set()

    def add(self, table: str, state: Any) -> None:
        if table == "beneficiary":
            self.associations.update(_values(state, "association_id"))
        elif table == "referral_event":
            self.referrals.update(_values(state, "referral_id"))
        else:
            self.people.update(_values(state, "beneficiary_id"))

    def resolve(self, session: Session, tables: dict[str, Table]) -> set[UUID]:
        """The associations of everything touched (the people's as they are now, after the
        flush; a person moved between associations names both through ``association_id``)."""
        found = set(self.associations)
        people, referrals = tables["beneficiary"], tables["referral"]
        connection = session.connection()
        if self.people:
            statement = select(people.c.association_id).where(people.c.id.in_(self.people))
            found.update(connection.execute(statement).scalars())
        if self.referrals:
            statement = (
                select(people.c.association_id)
                .join(referrals, referrals.c.beneficiary_id == people.c.id)
                .where(referrals.c.id.in_(self.referrals))
            )
            found.update(connection.execute(statement).scalars())
        return found


def _counted_table(instance: object, base: type[DeclarativeBase]) -> str | None:
    if not isinstance(instance, base):
        return None
    name = instance.__table__.name  # type: ignore[attr-defined]
    return name if name in COUNTED else None


def install(base: type[DeclarativeBase]) -> None:
    """Mark the figures from every session writing ``base``'s counted tables."""
    tables = base.metadata.tables

    def after_flush(session: Session, _context: Any) -> None:
        touched = _Touched()
        for instance in (*session.new, *session.deleted):
            if (table := _counted_table(instance, base)) is not None:
                touched.add(table, inspect(instance))
        for instance in session.dirty:
            table = _counted_table(instance, base)
            if table is not None and _changed(state := inspect(instance), COUNTED[table]):
                touched.add(table, state)
        associations = touched.resolve(session, tables)
        if associations:
            session.connection().execute(
                insert(_STALE),
                [{"association_id": association} for association in sorted(associations)],
            )

    def refuse_untracked(state: ORMExecuteState) -> None:
        if not (state.is_insert or state.is_update or state.is_delete):
            return
        options = state.execution_options
        if options.get("figures_unchanged") or options.get("figures_marked"):
            return
        written = getattr(state.statement, "table", None)
        name = getattr(written, "name", None)
        if name in COUNTED and getattr(written, "metadata", None) is base.metadata:
            raise UntrackedWrite(
                f"a statement writes the counted table {name!r}: call "
                "stats.tracking.mark() for what it changes and pass FIGURES_MARKED, or pass "
                "FIGURES_UNCHANGED if it writes no column of tracking.COUNTED"
            )

    event.listen(Session, "after_flush", after_flush)
    event.listen(Session, "do_orm_execute", refuse_untracked)


# ``stats.models.StatsStale``'s table, as the markers are written (this module is imported by
# the models' base, before any model exists).
_STALE = table("stats_stale", column("association_id", Uuid()))


async def mark(db: AsyncSession, association_ids: Iterable[UUID]) -> None:
    """Leave a marker for each association whose figures a statement changed."""
    rows = [{"association_id": association} for association in sorted(set(association_ids))]
    if rows:
        await db.execute(insert(_STALE), rows)
