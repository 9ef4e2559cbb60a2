"""Accounts in the database: users and their sign-in / API tokens (stored as hashes only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select

from dancecoach.storage.database import Database
from dancecoach.storage.models import AuthToken, User


class UserStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, user: User) -> User:
        with self._db.session() as session:
            session.add(user)
        return user

    def get(self, user_id: str) -> User | None:
        with self._db.session() as session:
            return session.get(User, user_id)

    def by_username(self, username: str) -> User | None:
        with self._db.session() as session:
            return session.scalars(select(User).where(User.username == username)).first()

    def count(self) -> int:
        with self._db.session() as session:
            return int(session.scalar(select(func.count()).select_from(User)) or 0)

    def add_token(self, token: AuthToken) -> None:
        with self._db.session() as session:
            session.add(token)

    def user_for_token(self, token_hash: str, now: datetime) -> User | None:
        """The token's user, unless the token is unknown or expired."""
        with self._db.session() as session:
            query = (
                select(User)
                .join(AuthToken, AuthToken.user_id == User.id)
                .where(
                    AuthToken.token_hash == token_hash,
                    or_(AuthToken.expires_at.is_(None), AuthToken.expires_at > now),
                )
            )
            return session.scalars(query).first()

    def delete_token(self, token_hash: str) -> None:
        with self._db.session() as session:
            session.execute(delete(AuthToken).where(AuthToken.token_hash == token_hash))

    def delete_expired_tokens(self, now: datetime) -> None:
        with self._db.session() as session:
            session.execute(delete(AuthToken).where(AuthToken.expires_at < now))
