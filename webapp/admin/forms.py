"""Admin forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from webapp.models import Role


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, role.value.title()) for role in Role],
        validators=[InputRequired(message="Choose a role.")],
    )
