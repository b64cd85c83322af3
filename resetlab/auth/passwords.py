"""Passwords: the argon2 hasher, the rules for new passwords (NIST SP 800-63B) and timing-safe checks.

Rules: at least 8 characters (at most 256), no composition rules, not on the list of the most common
passwords (data/common-passwords.txt.gz, from Django; see data/COMMON-PASSWORDS-NOTICE.txt), and not
containing the account's email local part or a word of its display name.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH, MAX_LENGTH = 8, 256
MIN_PART = 3  # shorter name or email parts ("al", "jo") would refuse too many good passwords
COMMON_LIST = Path(__file__).parent / "data" / "common-passwords.txt.gz"
WORD = re.compile(r"[^\W_]+")


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list (lowercased), read once per process."""
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def personal_parts(email: str | None, display_name: str | None) -> set[str]:
    """Pieces of the account's own identity a password must not contain (case-folded, >= 3 chars)."""
    parts: set[str] = set()
    local = (email or "").strip().partition("@")[0].casefold()
    if len(local) >= MIN_PART:
        parts.add(local)
    for text in (local, (display_name or "").casefold()):
        parts.update(word for word in WORD.findall(text) if len(word) >= MIN_PART)
    return parts


def password_problem(password: str, email: str | None = None, display_name: str | None = None) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.casefold() in common_passwords() or password.lower() in common_passwords():
        return "That password is on the list of most common passwords; choose another."
    folded = password.casefold()
    if any(part in folded for part in personal_parts(email, display_name)):
        return "Choose a password that does not contain your name or your email address."
    return None


class Passwords:
    """One app's hasher and the dummy hash it verifies against for unknown accounts (made once)."""

    def __init__(self, memory_kib: int) -> None:
        self.hasher = PasswordHasher() if memory_kib >= 65536 \
            else PasswordHasher(time_cost=1, memory_cost=memory_kib, parallelism=1)
        self.dummy = self.hasher.hash("not-a-real-password: only verified to spend the same time")

    def hash(self, password: str) -> str:
        """A new argon2id hash."""
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether the password matches; an account with no hash costs one verification all the same."""
        try:
            return self.hasher.verify(stored or self.dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Whether a stored hash uses older parameters than the hasher's."""
        return self.hasher.check_needs_rehash(stored)


def passwords() -> Passwords:
    """The current app's Passwords (built on first use, then kept in app.extensions)."""
    ext = current_app.extensions
    if "resetlab.passwords" not in ext:
        ext["resetlab.passwords"] = Passwords(int(current_app.config["PASSWORD_HASH_MEMORY_KIB"]))
    return ext["resetlab.passwords"]
