"""The admin's broadcast form."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from webapp.live.topics import GLOBAL, TopicError, parse_topic

NOTICE_MAX_LENGTH = 280


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _known_topic(form: FlaskForm, field: StringField) -> None:
    try:
        field.data = parse_topic(field.data)
    except TopicError as error:
        raise ValidationError(str(error)) from None


class BroadcastForm(FlaskForm):
    topic = StringField(
        "Topic", default=GLOBAL, filters=[_strip],
        validators=[DataRequired(message="Name a topic, e.g. global."), _known_topic],
    )
    notice = TextAreaField(
        "Notice", filters=[_strip],
        validators=[
            DataRequired(message="Write the notice."),
            Length(max=NOTICE_MAX_LENGTH, message=f"A notice is at most {NOTICE_MAX_LENGTH} characters."),
        ],
    )
