"""Forms for reporting posts and for the moderation queue's actions."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs
from wtforms.validators import InputRequired, Length, Optional

from webapp.services.community.moderation import MAX_REASON, PostAction
from webapp.services.community.reports import MAX_DETAILS, REPORT_REASONS

ACTION_LABELS = {PostAction.HIDE.value: "Hide", PostAction.RESTORE.value: "Restore",
                 PostAction.REMOVE.value: "Remove for good", PostAction.DISMISS.value: "Dismiss reports"}
PERIOD_LABELS = {"1d": "1 day", "7d": "7 days", "30d": "30 days", "custom": "Until a date"}


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class ReportForm(FlaskForm):
    reason = SelectField("Why", choices=_choices(REPORT_REASONS),
                         validators=[InputRequired(message="Choose why you report this post.")])
    details = TextAreaField("Details (optional)", validators=[Optional(), Length(
        max=MAX_DETAILS, message=f"Details are limited to {MAX_DETAILS} characters.")])


class PostActionForm(FlaskForm):
    action = SelectField("Action", choices=_choices(ACTION_LABELS),
                         validators=[InputRequired(message="Choose an action.")])
    reason = StringField("Reason", validators=[Length(max=MAX_REASON)])


class MemberActionForm(FlaskForm):
    reason = StringField("Reason", validators=[Length(max=MAX_REASON)])


class SuspendForm(FlaskForm):
    period = SelectField("For", choices=_choices(PERIOD_LABELS),
                         validators=[InputRequired(message="Choose how long.")])
    until = StringField("Last day (UTC)", validators=[Optional(), Length(max=10)])
    reason = StringField("Reason", validators=[InputRequired(message="Give a reason."), Length(max=MAX_REASON)])


def form_errors(form: FlaskForm) -> str:
    return "; ".join(error for errors in form.errors.values() for error in errors)
