"""Domain errors: services raise these, and the web layer maps them to 404, 403 and 409."""

from __future__ import annotations


class NotFound(LookupError):
    """Nothing the caller may see has this id (another user's object does not exist for them)."""


class Forbidden(PermissionError):
    """The caller may not do this, whatever the object."""


class Conflict(Exception):
    """The request clashes with the current state (the message says how to go on)."""
