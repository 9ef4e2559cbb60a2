"""Domain exceptions.

The API layer maps each to an HTTP status or WebSocket close code in one place.
"""

from __future__ import annotations


class DancecoachError(Exception):
    """Base class: the message is shown to the user as is, so it must be one clear sentence."""


class InvalidVideoError(DancecoachError):
    """A file is missing, unreadable or not a video."""


class InvalidImageError(DancecoachError):
    """Bytes that should be an image are not one, or exceed the size limits."""


class NoPersonFoundError(DancecoachError):
    """A video or image holds no detectable person."""


class NotFoundError(DancecoachError):
    """A reference, session or clip id does not exist."""


class ConflictError(DancecoachError):
    """The request does not fit the current state (a finished session, a reference in progress)."""


class LimitExceededError(DancecoachError):
    """An upload or frame is over a configured limit."""


class RateLimitedError(LimitExceededError):
    """Too many requests of one kind from one user in a while (uploads an hour)."""


class CapacityError(DancecoachError):
    """The server is at a configured capacity (live sessions); try again later."""


class StorageUnavailableError(DancecoachError):
    """The data folder cannot be written (disk full, permissions); nothing more is accepted."""


class AuthenticationRequiredError(DancecoachError):
    """The server has accounts and the request is not signed in (or the sign-in is wrong)."""


class ForbiddenError(DancecoachError):
    """The signed-in user may not do this (a learner managing the library)."""


class HostNotAllowedError(DancecoachError):
    """The request names a host the server does not answer to (DNS rebinding)."""


class CrossSiteRequestError(DancecoachError):
    """A state-changing request or a WebSocket from another site's page."""
