"""audit trail append-only (triggers), one CIN per association, trigram search of names

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:52:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("audit_entry", "audit_entry_record")
MESSAGE = "the audit trail is append-only"


def upgrade() -> None:
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.create_index(
            "uq_beneficiary_association_id_cin_index", ["association_id", "cin_index"], unique=True
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            f"""
            CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE} (% refused on %)', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
            )
    else:
        for table in TABLES:
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.create_index(
            "ix_beneficiary_name_key_trgm",
            ["name_key"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
            sqlite_where=sa.false(),
        )


def downgrade() -> None:
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.drop_index("ix_beneficiary_name_key_trgm")
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION audit_append_only()")
    else:
        for table in TABLES:
            for operation in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{operation}")
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.drop_index("uq_beneficiary_association_id_cin_index")
