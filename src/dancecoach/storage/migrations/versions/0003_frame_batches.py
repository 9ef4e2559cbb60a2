"""Learner frames stored a write batch to a file: scored_frames.image_offset, image_length.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows keep NULL offsets: their image_file is one whole JPEG.
    with op.batch_alter_table("scored_frames", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_offset", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("image_length", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scored_frames", schema=None) as batch_op:
        batch_op.drop_column("image_length")
        batch_op.drop_column("image_offset")
