"""Check-ins on key results (value, confidence, note; rows only ever added).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(40), nullable=False, index=True),
        sa.Column("kr_id", sa.String(300), nullable=False, index=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("confidence", sa.String(12), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("at", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("checkins")
