"""Token pictures: an upload is checked, re-encoded and kept in PostgreSQL, keyed by its content hash.

Nothing a member uploads is served as it came: Pillow decodes it (PNG, JPEG,
WebP or GIF only, with its size in pixels checked before any pixel is
decoded, so a small file that unpacks to gigabytes is refused), crops it to a
square, scales it down and writes a new WebP. The new file carries no
metadata (EXIF, GPS, comments, colour profiles) and no second frame.
"""
from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import TokenImage

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SOURCE_SIDE = 4096  # pixels, either way: larger sources are refused before decoding
SIDE = 256  # the stored picture is at most SIDE by SIDE
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
CONTENT_TYPE = "image/webp"
DIGEST = re.compile(r"^[0-9a-f]{64}$")
# What Pillow raises for a file that claims a format but is cut short or malformed.
_UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)


class ImageRejected(ValueError):
    """An upload that cannot become a token picture; the message says why, in words."""


@dataclass(frozen=True)
class PreparedImage:
    digest: str  # SHA-256 of `data`, hex
    content_type: str
    data: bytes
    width: int
    height: int


def prepare(upload: bytes) -> PreparedImage:
    """Check an uploaded file and re-encode it as a square WebP of at most SIDE pixels, without metadata."""
    if not upload:
        raise ImageRejected("The image file is empty; choose a PNG, JPEG, WebP or GIF.")
    if len(upload) > MAX_UPLOAD_BYTES:
        raise ImageRejected(f"The image is {_megabytes(len(upload))} MB; the most accepted is "
                            f"{_megabytes(MAX_UPLOAD_BYTES)} MB.")
    source = _open(upload)
    width, height = source.size
    if width > MAX_SOURCE_SIDE or height > MAX_SOURCE_SIDE or width < 1 or height < 1:
        raise ImageRejected(f"The image is {width} by {height} pixels; the largest accepted is "
                            f"{MAX_SOURCE_SIDE} by {MAX_SOURCE_SIDE}.")
    try:
        source.seek(0)  # an animated GIF or WebP keeps its first frame
        source.load()
        upright = ImageOps.exif_transpose(source)
    except (*_UNREADABLE, Image.DecompressionBombError) as error:
        raise ImageRejected("The image could not be read: the file is damaged or incomplete.") from error
    return _reencode(upright)


def store(image: PreparedImage) -> str:
    """Add the picture unless the same bytes are kept already; the caller commits. Returns its digest."""
    if db.session.get(TokenImage, image.digest) is None:
        db.session.add(TokenImage(digest=image.digest, content_type=image.content_type, data=image.data,
                                  width=image.width, height=image.height))
        db.session.flush()  # before the row that refers to it; the caller's commit or rollback decides
    return image.digest


def load(digest: str) -> TokenImage | None:
    """The kept picture with this digest, or None (also for anything that is not a digest)."""
    if not DIGEST.match(digest):
        return None
    return db.session.scalar(select(TokenImage).where(TokenImage.digest == digest))


def _open(upload: bytes) -> Image.Image:
    """Read the header only: the format and size in pixels, no pixel data yet."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(upload), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRejected(f"The image is too large in pixels; the largest accepted is "
                            f"{MAX_SOURCE_SIDE} by {MAX_SOURCE_SIDE}.") from error
    except (UnidentifiedImageError, *_UNREADABLE) as error:
        raise ImageRejected("That file is not a PNG, JPEG, WebP or GIF image.") from error


def _reencode(source: Image.Image) -> PreparedImage:
    side = min(SIDE, *source.size)
    square = ImageOps.fit(source.convert("RGBA"), (side, side), method=Image.Resampling.LANCZOS)
    clean = Image.frombytes("RGBA", square.size, square.tobytes())  # pixels only: no info, EXIF or profile
    buffer = io.BytesIO()
    clean.save(buffer, format="WEBP", quality=88, method=4)
    data = buffer.getvalue()
    return PreparedImage(hashlib.sha256(data).hexdigest(), CONTENT_TYPE, data, side, side)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")
