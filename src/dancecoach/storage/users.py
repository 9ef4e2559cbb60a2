"""Accounts in the database: users and their sign-in / API tokens (stored as hashes only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update

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

    def count_with_role(self, role: str) -> int:
        with self._db.session() as session:
            query = select(func.count()).select_from(User).where(User.role == role)
            return int(session.scalar(query) or 0)

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        with self._db.session() as session:
            session.execute(
                update(User).where(User.id == user_id).values(password_hash=password_hash)
            )

    def delete(self, user_id: str) -> None:
        """The user and every token of theirs (explicitly: SQLite may not enforce the cascade)."""
        with self._db.session() as session:
            session.execute(delete(AuthToken).where(AuthToken.user_id == user_id))
            session.execute(delete(User).where(User.id == user_id))

    def tokens_of(self, user_id: str, kind: str) -> list[AuthToken]:
        """The user's tokens of one kind (session or api), oldest first."""
        with self._db.session() as session:
            query = (
                select(AuthToken)
                .where(AuthToken.user_id == user_id, AuthToken.kind == kind)
                .order_by(AuthToken.created_at)
            )
            return list(session.scalars(query))

    def delete_tokens_of(self, user_id: str, kind: str) -> int:
        """Delete the user's tokens of one kind; returns how many there were."""
        with self._db.session() as session:
            tokens = list(
                session.scalars(
                    select(AuthToken).where(AuthToken.user_id == user_id, AuthToken.kind == kind)
                )
            )
            for token in tokens:
                session.delete(token)
            return len(tokens)

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
