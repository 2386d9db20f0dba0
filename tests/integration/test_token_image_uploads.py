"""Token images sent with the launch form: clear 4xx refusals, nothing written on a refusal, cacheable serving."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import LaunchApplication, TokenImage
from webapp.services import token_images

WILD = {"name": "Picture Cats", "symbol": "PCAT", "tier": "wild_fires", "description": "Cats with a face."}


def _png(size: tuple[int, int] = (400, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (153, 69, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _apply(client, auth, upload: bytes, filename: str = "cat.png", **fields: str):
    data = {**WILD, **fields, "csrf_token": auth.csrf_token(), "image": (io.BytesIO(upload), filename)}
    return client.post("/tokens/new", data=data, content_type="multipart/form-data")


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(LaunchApplication)) or 0,
                db.session.scalar(select(func.count()).select_from(TokenImage)) or 0)


def test_an_uploaded_image_is_kept_reencoded_and_served_cacheably(app, client, auth, make_user) -> None:
    auth.sign_in(make_user("member"))
    reply = _apply(client, auth, _png())
    assert reply.status_code == 302, reply.get_data(as_text=True)
    with app.app_context():
        application = db.session.scalar(select(LaunchApplication))
        assert application is not None and application.image_digest
        digest = application.image_digest
    served = client.get(f"/tokens/images/{digest}")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["ETag"].strip('"') == digest
    assert "immutable" in served.headers["Cache-Control"] and "max-age=31536000" in served.headers["Cache-Control"]
    assert Image.open(io.BytesIO(served.data)).size == (256, 256)
    again = client.get(f"/tokens/images/{digest}", headers={"If-None-Match": f'"{digest}"'})
    assert again.status_code == 304 and not again.data


@pytest.mark.parametrize("upload, filename, message", [
    (b"name,symbol\nCat,CAT\n", "cat.png", "That file is not a PNG, JPEG, WebP or GIF image."),
    (_png() + b"\0" * token_images.MAX_UPLOAD_BYTES, "cat.png", "the most accepted is 2 MB"),
    (_png((600, 600))[:300], "cat.png", "The image could not be read: the file is damaged or incomplete."),
], ids=["text-renamed-png", "over-2-mb", "truncated"])
def test_a_bad_image_is_refused_with_a_clear_message_and_nothing_written(app, client, auth, make_user, upload,
                                                                        filename, message) -> None:
    auth.sign_in(make_user("member"))
    reply = _apply(client, auth, upload, filename)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422 and message in page
    assert "Picture Cats" in page  # the form comes back as typed
    assert _counts(app) == (0, 0)


def test_a_good_image_with_a_refused_application_writes_nothing(app, client, auth, make_user) -> None:
    auth.sign_in(make_user("member"))
    reply = _apply(client, auth, _png(), symbol="x")
    assert reply.status_code == 422 and "The symbol is 2 to 10 capital letters or digits." in reply.get_data(
        as_text=True)
    assert _counts(app) == (0, 0)


def test_the_multipart_form_keeps_its_csrf_check(app, client, auth, make_user) -> None:
    auth.sign_in(make_user("member"))
    data = {**WILD, "image": (io.BytesIO(_png()), "cat.png")}
    reply = client.post("/tokens/new", data=data, content_type="multipart/form-data")
    assert reply.status_code == 400 and "security token" in reply.get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_a_body_far_over_the_limit_gets_a_413_page(app, client, auth, make_user) -> None:
    auth.sign_in(make_user("member"))
    reply = _apply(client, auth, b"\0" * (9 * 1024 * 1024))
    assert reply.status_code == 413 and "a token image may be at most 2 MB" in reply.get_data(as_text=True)
    assert _counts(app) == (0, 0)


@pytest.mark.parametrize("digest", ["0" * 64, "not-a-digest", "../../etc/passwd"])
def test_unknown_images_are_404(client, digest) -> None:
    assert client.get(f"/tokens/images/{digest}").status_code == 404
