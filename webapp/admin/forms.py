"""Admin forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from webapp.models import Role


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, role.value.title()) for role in Role],
        validators=[InputRequired(message="Choose a role.")],
    )


class CreateWalletForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(message="Give the wallet a name."), Length(max=48)])
    purpose = StringField("Purpose", validators=[Length(max=120)])


class SendTokensForm(FlaskForm):
    """An admin transfer of tokens or SOL out of a platform wallet, through the payout engine."""

    wallet = SelectField("From wallet", validators=[InputRequired(message="Choose a wallet.")])
    recipient = StringField("Recipient wallet", validators=[
        InputRequired(message="Enter the recipient's address."), Length(max=44)])
    mint = StringField("Token mint, or SOL", validators=[
        InputRequired(message="Enter the token's mint address, or SOL to send SOL."), Length(max=44)])
    amount = StringField("Amount (SOL or tokens)",
                         validators=[InputRequired(message="Enter an amount."), Length(max=40)])
    request_id = HiddenField(validators=[InputRequired(), Length(min=8, max=64)])


def selected_ids(field: str, nothing_chosen: str) -> list[int]:
    """The row ids ticked in a list form; 422 with `nothing_chosen` when there are none."""
    from flask import abort, request

    ids = [int(value) for value in request.form.getlist(field) if value.isdigit()]
    if not ids:
        abort(422, description=nothing_chosen)
    return ids
