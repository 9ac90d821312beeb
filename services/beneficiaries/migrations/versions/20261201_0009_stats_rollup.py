"""the statistics' rollup: each association's figures per year, kept as records are written

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _place() -> list[sa.Column[object]]:
    """The columns every rollup table starts with (its association, region and year)."""
    return [
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "stats_people",
        *_place(),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("supported", sa.Integer(), nullable=False),
        sa.Column("exits", sa.Integer(), nullable=False),
        sa.Column("placed", sa.Integer(), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "association_id", "region", "year", "dimension", "key", name="pk_stats_people"
        ),
    )
    op.create_index("ix_stats_people_year", "stats_people", ["year"])
    op.create_table(
        "stats_count",
        *_place(),
        sa.Column("figure", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "association_id", "region", "year", "figure", "key", name="pk_stats_count"
        ),
    )
    op.create_index("ix_stats_count_year", "stats_count", ["year"])
    op.create_table(
        "stats_follow_up",
        *_place(),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("month", sa.SmallInteger(), nullable=False),
        sa.Column("holds", sa.SmallInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "association_id",
            "region",
            "year",
            "status",
            "month",
            "holds",
            "due_date",
            name="pk_stats_follow_up",
        ),
    )
    op.create_index("ix_stats_follow_up_year", "stats_follow_up", ["year"])
    op.create_table(
        "stats_stale",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stats_stale"),
    )
    op.create_index("ix_stats_stale_association_id", "stats_stale", ["association_id"])
    op.create_table(
        "stats_built",
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("built_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("association_id", name="pk_stats_built"),
    )
    # Every association's figures are built before the first read after this upgrade.
    op.execute("INSERT INTO stats_stale (association_id) SELECT id FROM association")


def downgrade() -> None:
    for name in ("stats_built", "stats_stale", "stats_follow_up", "stats_count", "stats_people"):
        op.drop_table(name)
