"""A member's own profile form."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from webapp.services.community.member_profile import BIO_MAX, NAME_MAX


class ProfileForm(FlaskForm):
    # the service checks the rules and uniqueness; the lengths here only bound what is read
    display_name = StringField("Display name", validators=[Length(max=NAME_MAX + 30)])
    bio = TextAreaField("Bio", validators=[Length(max=BIO_MAX + 500)])
