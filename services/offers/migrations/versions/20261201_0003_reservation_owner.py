"""seat reservations: keys per caller, and the reserving association

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 11:05:00

An Idempotency-Key was unique per session, so a caller sending another caller's key received
that caller's reservation. Keys are now unique per (session, caller, key), and a reservation
keeps its author's association, which may read and release it. Existing rows keep their author
(``reserved_by``); their association is unknown (NULL): only their author, the coordinators of
the region and admins handle them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table to change its constraints.
    with op.batch_alter_table("seat_reservation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("association_id", sa.Uuid(), nullable=True))
        batch_op.drop_constraint("uq_seat_reservation_session_id_key", type_="unique")
        batch_op.create_unique_constraint(
            "uq_seat_reservation_session_id_reserved_by_key", ["session_id", "reserved_by", "key"]
        )


def downgrade() -> None:
    # Two callers may hold the same key in one session by now: such a downgrade fails on the
    # old constraint rather than dropping a reservation.
    with op.batch_alter_table("seat_reservation", schema=None) as batch_op:
        batch_op.drop_constraint("uq_seat_reservation_session_id_reserved_by_key", type_="unique")
        batch_op.create_unique_constraint(
            "uq_seat_reservation_session_id_key", ["session_id", "key"]
        )
        batch_op.drop_column("association_id")
