"""Token pictures: only real PNG, JPEG, WebP or GIF images, re-encoded small and without metadata."""
from __future__ import annotations

import hashlib
import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from webapp.services import token_images
from webapp.services.token_images import ImageRejected, prepare


def _png(size: tuple[int, int] = (640, 480), **save: object) -> bytes:
    picture = Image.new("RGB", size, (153, 69, 255))
    picture.paste((20, 241, 149), (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", **save)
    return buffer.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` by `height` pixels, with almost no pixel data behind it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) \
        + chunk(b"IEND", b"")


def _reopen(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def test_png_is_reencoded_square_small_and_stripped_of_metadata() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "taken at my home address")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    upload = _png(pnginfo=text, exif=exif.tobytes(), icc_profile=b"fake-profile")
    assert b"my home address" in upload and b"PhoneMaker" in upload  # the metadata is really in the upload

    prepared = prepare(upload)

    assert prepared.content_type == "image/webp"
    assert prepared.digest == hashlib.sha256(prepared.data).hexdigest()
    assert (prepared.width, prepared.height) == (256, 256)
    stored = _reopen(prepared.data)
    assert stored.format == "WEBP" and stored.size == (256, 256)
    assert not stored.getexif() and "icc_profile" not in stored.info and "exif" not in stored.info
    assert b"my home address" not in prepared.data and b"PhoneMaker" not in prepared.data
    # the crop keeps the middle: green on the left half, purple on the right
    left, right = stored.convert("RGB").getpixel((40, 128)), stored.convert("RGB").getpixel((215, 128))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    assert left[1] > 200 and right[2] > 200


def test_small_images_are_not_scaled_up_and_jpeg_gps_is_dropped() -> None:
    exif = Image.Exif()
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (200, 10, 10)).save(buffer, format="JPEG", exif=exif.tobytes())
    prepared = prepare(buffer.getvalue())
    assert (prepared.width, prepared.height) == (90, 90)
    assert not _reopen(prepared.data).getexif()


def test_animated_gif_keeps_its_first_frame() -> None:
    frames = [Image.new("P", (64, 64), colour) for colour in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    stored = _reopen(prepare(buffer.getvalue()).data)
    assert stored.size == (64, 64) and getattr(stored, "n_frames", 1) == 1


def test_file_over_the_size_limit_is_refused_before_decoding() -> None:
    upload = _png((16, 16)) + b"\0" * token_images.MAX_UPLOAD_BYTES
    with pytest.raises(ImageRejected, match=r"the most accepted is 2 MB"):
        prepare(upload)


@pytest.mark.parametrize("upload", [b"name,symbol\nCat,CAT\n", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                    b"%PDF-1.7\n"])
def test_text_renamed_png_is_refused(upload: bytes) -> None:
    with pytest.raises(ImageRejected, match="not a PNG, JPEG, WebP or GIF image"):
        prepare(upload)


def test_images_of_other_formats_are_refused() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="BMP")
    with pytest.raises(ImageRejected, match="not a PNG, JPEG, WebP or GIF image"):
        prepare(buffer.getvalue())


def test_empty_file_is_refused() -> None:
    with pytest.raises(ImageRejected, match="empty"):
        prepare(b"")


@pytest.mark.parametrize("side", [5000, 20_000, 100_000])
def test_decompression_bomb_dimensions_are_refused_without_decoding(side: int) -> None:
    upload = _png_header_only(side, side)
    assert len(upload) < 200  # a tiny file that would unpack to side² bytes
    with pytest.raises(ImageRejected, match="largest accepted is 4096 by 4096"):
        prepare(upload)


def test_truncated_image_is_refused_as_damaged() -> None:
    upload = _png((300, 300))
    with pytest.raises(ImageRejected, match="damaged or incomplete"):
        prepare(upload[: len(upload) // 2])


def test_same_picture_gives_the_same_digest() -> None:
    other = io.BytesIO()
    Image.new("RGB", (300, 300), (255, 181, 71)).save(other, format="PNG")
    assert prepare(_png()).digest == prepare(_png()).digest != prepare(other.getvalue()).digest
