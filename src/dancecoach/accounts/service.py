"""Accounts of a shared server: users with a role, passwords hashed with argon2id, sign-ins and
API tokens as random secrets of which the database keeps only a SHA-256.

A teacher manages the library; a learner practises. On a server without accounts (one user on
loopback) none of this runs.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dancecoach.config import Settings
from dancecoach.errors import AuthenticationRequiredError, ConflictError, DancecoachError
from dancecoach.storage.files import new_id
from dancecoach.storage.models import AuthToken, User, utc_now
from dancecoach.storage.users import UserStore

Role = Literal["teacher", "learner"]
ROLES: tuple[Role, ...] = ("teacher", "learner")
MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_TOKEN_BYTES = 32
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
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidAccountError(
                f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
            )
        if self._store.by_username(username) is not None:
            raise ConflictError(f"There is already a user named {username!r}.")
        user = User(id=new_id(), username=username, password_hash=_hasher.hash(password), role=role)
        return _signed_in(self._store.add(user))

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
        """A token for scripts (Authorization: Bearer ...); it lasts until the user is deleted."""
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


def open_accounts(settings: Settings) -> AccountService:
    """The accounts of the configured database (migrated first), for the command line."""
    from dancecoach.storage.database import Database
    from dancecoach.storage.migrate import upgrade_to_head

    db = Database.from_settings(settings)
    upgrade_to_head(db.engine)
    return AccountService(UserStore(db), settings.auth_session_days)
