"""The statistics' rollup: each association's figures per year, kept as records are written.

``/v1/stats/outcomes`` sums these rows instead of grouping a million people per request. They
are a cache of the records, never a source: an association's rows are rebuilt whole from the
records (``stats.rollup``) whenever a write left a marker for it (``stats.tracking``), before
any figure is read, so a figure read is always the records' own.

Rows are per association and per region where its people live (a coordinator's scope is the
people's region), per calendar year (``0``: all time). Whoever objects to statistics is left
out when the rows are built.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import Date, Index, Integer, SmallInteger, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from beneficiaries.database import Base

# The ``year`` of the rows counting all time.
ALL_TIME = 0
# The due date of the follow-ups already due on the day the rows were built.
DUE_WHEN_BUILT = date(1900, 1, 1)


class _Place:
    """The key every rollup row starts with: whose people, where they live, which year."""

    association_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    region: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)


class StatsPeople(_Place, Base):
    """People supported, exits, placed and enrolled for one value of one breakdown
    (``total``/``all``, ``sex``, ``age_band``, ``criterion``)."""

    __tablename__ = "stats_people"

    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    supported: Mapped[int] = mapped_column(Integer)
    exits: Mapped[int] = mapped_column(Integer)
    placed: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_stats_people_year", "year"),)


class StatsCount(_Place, Base):
    """A count of people (``outcome_type``, ``placed_sector``) or of referrals
    (``enrolment_delay``: ``key`` is the number of days from referral to enrolment)."""

    __tablename__ = "stats_count"

    figure: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_stats_count_year", "year"),)


class StatsFollowUp(_Place, Base):
    """Follow-ups of the outcomes dated in ``year``, by status, month, finding (``holds``: 1
    held, 0 not, -1 not recorded) and due date: whether one is due depends on the day asked, so
    those due later than the day the rows were built keep their date; the others are counted
    together, dated ``DUE_WHEN_BUILT``."""

    __tablename__ = "stats_follow_up"

    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    holds: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_stats_follow_up_year", "year"),)


class StatsStale(Base):
    """A write changed figures of this association: its rows are rebuilt before the next read
    (the markers up to the highest one seen are then removed)."""

    __tablename__ = "stats_stale"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    association_id: Mapped[UUID] = mapped_column(Uuid, index=True)


class StatsBuilt(Base):
    """When an association's rows were built: the day (a figure asked as of an earlier day
    needs them built again: its follow-ups due since were counted as due) and so the year (age
    bands and the all-time rows count ages in it, and the years after it have no rows yet)."""

    __tablename__ = "stats_built"

    association_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    built_on: Mapped[date] = mapped_column(Date)
