"""Reporting posts and /admin/moderation."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("moderation", __name__)
