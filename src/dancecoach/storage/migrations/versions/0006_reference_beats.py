"""Music of each reference (issue 16): tables reference_beats and eight_mastery (Break-It-Down),
column reference_sections.suggested.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reference_beats",
        sa.Column(
            "reference_id",
            sa.String(length=32),
            sa.ForeignKey("reference_videos.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tempo_bpm", sa.Float(), nullable=True),
        sa.Column("beat_times_s", sa.JSON(), nullable=False),
        sa.Column("downbeat", sa.Integer(), nullable=False),
        sa.Column("downbeat_shift", sa.Integer(), nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "eight_mastery",
        # "" is the one user of a server without accounts (a key column cannot be NULL).
        sa.Column("user_id", sa.String(length=32), primary_key=True, server_default=""),
        sa.Column(
            "reference_id",
            sa.String(length=32),
            sa.ForeignKey("reference_videos.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("eight", sa.Integer(), primary_key=True),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("best_score", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("reference_sections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("suggested", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("reference_sections", schema=None) as batch_op:
        batch_op.drop_column("suggested")
    op.drop_table("eight_mastery")
    op.drop_table("reference_beats")
