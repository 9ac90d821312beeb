"""referrals and their history (settled through the job table of 0004)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 13:06:09.482343
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("referred_by", sa.String(length=255), nullable=False),
        sa.Column("referrer_role", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["association.id"],
            name=op.f("fk_referral_association_id_association"),
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiary.id"],
            name=op.f("fk_referral_beneficiary_id_beneficiary"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_association_id_updated_at_id",
            ["association_id", "updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_referral_beneficiary_id_session_id", ["beneficiary_id", "session_id"], unique=False
        )
        batch_op.create_index(
            "ix_referral_provider_id_updated_at_id",
            ["provider_id", "updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_referral_status_created_at", ["status", "created_at"], unique=False
        )

    op.create_table(
        "referral_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("author_role", sa.String(length=32), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name=op.f("fk_referral_event_referral_id_referral")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_event")),
    )
    with op.batch_alter_table("referral_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_event_referral_id_occurred_at",
            ["referral_id", "occurred_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_event", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_event_referral_id_occurred_at")

    op.drop_table("referral_event")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_status_created_at")
        batch_op.drop_index("ix_referral_provider_id_updated_at_id")
        batch_op.drop_index("ix_referral_beneficiary_id_session_id")
        batch_op.drop_index("ix_referral_association_id_updated_at_id")

    op.drop_table("referral")
