"""Accounts of a shared server: users with a role, passwords hashed with argon2id, sign-ins and
API tokens as random secrets of which the database keeps only a SHA-256. An API token is known
by an id, the first characters of that hash (no secret), by which it can be revoked.

A teacher manages the library; a learner practises. On a server without accounts (one user on
loopback) none of this runs.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dancecoach.config import Settings
from dancecoach.errors import (
    AuthenticationRequiredError,
    ConflictError,
    DancecoachError,
    NotFoundError,
)
from dancecoach.storage.files import new_id
from dancecoach.storage.models import AuthToken, User, utc_now
from dancecoach.storage.users import UserStore

Role = Literal["teacher", "learner"]
ROLES: tuple[Role, ...] = ("teacher", "learner")
MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_TOKEN_BYTES = 32
# Characters of a token's SHA-256 that name it: 48 bits, unique among one user's tokens.
_TOKEN_ID_LENGTH = 12
# Verified against when the username is unknown, so that a wrong name takes as long as a wrong
# password and response times do not tell which names exist.
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password")


class InvalidAccountError(DancecoachError):
    """A username, role or password that cannot be used."""


@dataclass(frozen=True)
class SignedInUser:
    id: str
    username: str
    role: Role


@dataclass(frozen=True)
class ApiTokenInfo:
    """An API token as its owner sees it listed: never the secret itself."""

    id: str
    label: str | None
    created_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signed_in(user: User) -> SignedInUser:
    role: Role = "teacher" if user.role == "teacher" else "learner"
    return SignedInUser(id=user.id, username=user.username, role=role)


class AccountService:
    def __init__(self, store: UserStore, session_days: float) -> None:
        self._store = store
        self._session_lifetime = timedelta(days=session_days)

    def has_users(self) -> bool:
        return self._store.count() > 0

    def add_user(self, username: str, password: str, role: str) -> SignedInUser:
        if not _USERNAME.match(username):
            raise InvalidAccountError(
                "A username is 1-64 letters, digits, dots, dashes or underscores."
            )
        if role not in ROLES:
            raise InvalidAccountError(f"The role must be teacher or learner, not {role!r}.")
        _check_password(password)
        if self._store.by_username(username) is not None:
            raise ConflictError(f"There is already a user named {username!r}.")
        user = User(id=new_id(), username=username, password_hash=_hasher.hash(password), role=role)
        return _signed_in(self._store.add(user))

    def user(self, username: str) -> SignedInUser:
        """The user of that name, else NotFoundError."""
        user = self._store.by_username(username)
        if user is None:
            raise NotFoundError(f"There is no user named {username!r}.")
        return _signed_in(user)

    def change_password(self, username: str, password: str) -> int:
        """Set a new password and end the user's browser sign-ins (whoever knew the old one is
        signed out); returns how many ended. API tokens stay: revoke them apart."""
        _check_password(password)
        user = self.user(username)
        self._store.set_password_hash(user.id, _hasher.hash(password))
        return self._store.delete_tokens_of(user.id, "session")

    def delete_user(
        self, username: str, delete_data: Callable[[SignedInUser], object] | None = None
    ) -> SignedInUser:
        """Delete the account with its sign-ins and API tokens. delete_data (the practice data,
        which lives in layers above this one) runs once they are signed out and before the
        account goes, so that a failure there leaves an account to delete again. The last
        teacher is kept, or nobody could manage the library."""
        user = self.user(username)
        if user.role == "teacher" and self._store.count_with_role("teacher") == 1:
            raise ConflictError(
                f"{username} is the last teacher: add another teacher first, or nobody could "
                "manage the library."
            )
        for kind in ("session", "api"):
            self._store.delete_tokens_of(user.id, kind)
        if delete_data is not None:
            delete_data(user)
        self._store.delete(user.id)
        return user

    def api_tokens(self, username: str) -> list[ApiTokenInfo]:
        """The user's API tokens, oldest first."""
        tokens = self._store.tokens_of(self.user(username).id, "api")
        return [
            ApiTokenInfo(id=t.token_hash[:_TOKEN_ID_LENGTH], label=t.label, created_at=t.created_at)
            for t in tokens
        ]

    def revoke_api_token(self, username: str, token_id: str) -> None:
        """Revoke one of the user's API tokens by its id (as listed); it stops working at once."""
        tokens = self._store.tokens_of(self.user(username).id, "api")
        matching = [t for t in tokens if t.token_hash[:_TOKEN_ID_LENGTH] == token_id.lower()]
        if not matching:
            raise NotFoundError(f"{username} has no API token with id {token_id!r}.")
        self._store.delete_token(matching[0].token_hash)

    def revoke_api_tokens(self, username: str) -> int:
        """Revoke every API token of the user; returns how many there were."""
        return self._store.delete_tokens_of(self.user(username).id, "api")

    def authenticate(self, username: str, password: str) -> SignedInUser:
        """The user, if the password is theirs; else AuthenticationRequiredError."""
        user = self._store.by_username(username)
        try:
            _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            user = None
        if user is None:
            raise AuthenticationRequiredError("Wrong username or password.")
        return _signed_in(user)

    def start_session(self, user: SignedInUser) -> str:
        """A new sign-in's secret (for the cookie); it expires after the configured days.

        Expired sign-ins of everyone are deleted here, so that their rows do not pile up.
        """
        self._store.delete_expired_tokens(utc_now())
        return self._new_token(user, "session", None, utc_now() + self._session_lifetime)

    def create_api_token(self, user: SignedInUser, label: str | None) -> str:
        """A token for scripts (Authorization: Bearer ...); it lasts until it is revoked
        (revoke_api_token) or the user is deleted."""
        return self._new_token(user, "api", label, None)

    def _new_token(
        self, user: SignedInUser, kind: str, label: str | None, expires: datetime | None
    ) -> str:
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        self._store.add_token(
            AuthToken(
                token_hash=token_hash(token),
                user_id=user.id,
                kind=kind,
                label=label,
                expires_at=expires,
            )
        )
        return token

    def user_for_token(self, token: str) -> SignedInUser | None:
        user = self._store.user_for_token(token_hash(token), utc_now())
        return None if user is None else _signed_in(user)

    def end_session(self, token: str) -> None:
        self._store.delete_token(token_hash(token))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAccountError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
        )


def open_accounts(settings: Settings) -> AccountService:
    """The accounts of the configured database (migrated first), for the command line."""
    from dancecoach.storage.database import Database
    from dancecoach.storage.migrate import upgrade_to_head

    db = Database.from_settings(settings)
    upgrade_to_head(db.engine)
    return AccountService(UserStore(db), settings.auth_session_days)
