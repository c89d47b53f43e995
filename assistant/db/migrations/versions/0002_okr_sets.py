"""Saved OKR sets (until now JSON files per workspace; imported on first use).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "okr_sets",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("workspace", sa.String(40), nullable=False, index=True),
        sa.Column("department", sa.String(120), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("okr_sets")
