"""A member's display name and bio, edited by that member only.

Display names are 3-30 letters, digits, `_`, `-` or `.`, unique without
regard to case ("Ana" and "ana" are one name); an empty name goes back to
the short wallet. The bio is plain text up to 500 characters, escaped when
shown.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import User

NAME_MIN, NAME_MAX = 3, 30
BIO_MAX = 500
NAME_PATTERN = re.compile(rf"^[A-Za-z0-9_.\-]{{{NAME_MIN},{NAME_MAX}}}$")
NAME_RULE = f"{NAME_MIN}-{NAME_MAX} letters, digits, _, - or ."


class ProfileError(ValueError):
    """Input the profile cannot take; `field` is the form field it belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def clean_name(text: str) -> str | None:
    name = text.strip()
    if not name:
        return None
    if not NAME_PATTERN.match(name):
        raise ProfileError("display_name", f"A display name is {NAME_RULE} (no spaces); “{name[:40]}” is not.")
    return name


def clean_bio(text: str) -> str:
    bio = text.replace("\r\n", "\n").strip()
    if len(bio) > BIO_MAX:
        raise ProfileError("bio", f"A bio is at most {BIO_MAX} characters; this one has {len(bio)}.")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in bio):
        raise ProfileError("bio", "A bio is plain text: remove the control characters.")
    return bio


def name_taken(name: str, member_id: int) -> bool:
    return db.session.scalar(select(User.id).where(
        func.lower(User.display_name) == name.lower(), User.id != member_id)) is not None


def update(member: User, display_name: str, bio: str) -> None:
    """Save the member's name and bio, or raise ProfileError with nothing written. Commits."""
    name = clean_name(display_name)
    cleaned_bio = clean_bio(bio)
    if name is not None and name_taken(name, member.id):
        raise ProfileError("display_name", f"The display name “{name}” is taken (names ignore case): choose another.")
    member.display_name = name
    member.bio = cleaned_bio
    try:
        db.session.commit()
    except IntegrityError:  # another member took the name between the check and the write
        db.session.rollback()
        raise ProfileError("display_name",
                           f"The display name “{name}” is taken (names ignore case): choose another.") from None
