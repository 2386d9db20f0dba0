"""The signed-cookie session, with one signing serializer per app and key.

Flask builds a new serializer for every cookie it reads or writes (and each
build signs a dummy value); the keys rarely change while the app runs, so the
serializer is kept in app.extensions and rebuilt only when they do.
"""
from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

SERIALIZER_KEY = "momentum_session_serializer"


class SigningSessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = app.extensions.get(SERIALIZER_KEY)
        if cached is not None and cached[0] == keys:
            return cached[1]
        serializer = super().get_signing_serializer(app)
        if serializer is not None:
            app.extensions[SERIALIZER_KEY] = (keys, serializer)
        return serializer
