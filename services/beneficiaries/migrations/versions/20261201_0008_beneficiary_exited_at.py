"""the instant a person left the support, on the person (for the figures)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("beneficiary") as batch:
        batch.add_column(sa.Column("exited_at", sa.DateTime(timezone=True), nullable=True))
    # ``exited`` is final: one move there per person at most.
    op.execute(
        "UPDATE beneficiary SET exited_at = (SELECT min(moved_at) FROM stage_move "
        "WHERE stage_move.beneficiary_id = beneficiary.id AND stage_move.to_stage = 'exited')"
    )


def downgrade() -> None:
    with op.batch_alter_table("beneficiary") as batch:
        batch.drop_column("exited_at")
