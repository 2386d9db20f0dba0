"""The challenge form: fields as typed; services/community/challenges.parse_draft checks them."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField, TextAreaField

from webapp.services.community.challenges import DATE_FORMAT


class ChallengeForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect already guards every POST; the page carries the token itself

    title = StringField("Title")
    description = TextAreaField("Description (Markdown)")
    starts_at = DateTimeLocalField("Starts (UTC)", format=DATE_FORMAT)
    ends_at = DateTimeLocalField("Ends (UTC)", format=DATE_FORMAT)
    reward_points = StringField("Reward in points")
    reward_tokens = StringField("Reward in tokens (optional)")
