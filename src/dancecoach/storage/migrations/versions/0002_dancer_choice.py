"""Dancer choice for group reference videos: reference_videos.dancer_x.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reference_videos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dancer_x", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reference_videos", schema=None) as batch_op:
        batch_op.drop_column("dancer_x")
