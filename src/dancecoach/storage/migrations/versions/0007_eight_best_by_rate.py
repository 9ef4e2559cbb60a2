"""Break-It-Down keeps each eight's best score per playback speed: column
eight_mastery.best_by_rate ({"0.5": 72.0, ...}), so the timeline can draw the best grade at
each speed.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy) on SQLite and PostgreSQL alike; rows stored before
    # have no per-speed scores yet ({}), only their stage and overall best.
    op.add_column(
        "eight_mastery",
        sa.Column("best_by_rate", sa.JSON(), nullable=False, server_default="{}"),
    )


def downgrade() -> None:
    with op.batch_alter_table("eight_mastery", schema=None) as batch_op:
        batch_op.drop_column("best_by_rate")
