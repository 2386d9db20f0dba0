"""Discussion pages: /tokens/<mint>/discussions and /tokens/<mint>/discussions/<id>-<slug>."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("discussions", __name__)
