"""one active referral of a person to a session (a unique partial index)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("status IN ('pending', 'referred', 'accepted', 'enrolled')")


def upgrade() -> None:
    op.drop_index("ix_referral_beneficiary_id_session_id", table_name="referral")
    op.create_index(
        "uq_referral_active_beneficiary_id_session_id",
        "referral",
        ["beneficiary_id", "session_id"],
        unique=True,
        postgresql_where=ACTIVE,
        sqlite_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_referral_active_beneficiary_id_session_id", table_name="referral")
    op.create_index(
        "ix_referral_beneficiary_id_session_id", "referral", ["beneficiary_id", "session_id"]
    )
