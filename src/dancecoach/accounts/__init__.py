"""Accounts on a shared server: users with a role, argon2 passwords, sign-in sessions, tokens."""

from dancecoach.accounts.service import AccountService, SignedInUser, open_accounts

__all__ = ["AccountService", "SignedInUser", "open_accounts"]
