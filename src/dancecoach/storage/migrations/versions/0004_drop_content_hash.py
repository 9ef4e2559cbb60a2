"""reference_videos.content_hash goes: it was never written (the pose cache hashes the file).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Not in batch mode: on SQLite that copies the table and drops the old one, and dropping a
    # table deletes its rows first, which cascades to every session of every reference.
    # SQLite (3.35 and later) and PostgreSQL both drop a plain column in place.
    op.drop_column("reference_videos", "content_hash")


def downgrade() -> None:
    with op.batch_alter_table("reference_videos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
