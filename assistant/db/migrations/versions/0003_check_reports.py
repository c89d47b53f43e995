"""Saved alignment checks (until now JSON files per workspace; imported on first use).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_reports",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("workspace", sa.String(40), nullable=False, index=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("verdict", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("check_reports")
