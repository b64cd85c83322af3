"""Forms for data rights: confirming an account deletion, confirming a class deletion."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..auth.passwords import MAX_LENGTH


class DeleteAccountForm(FlaskForm):
    """The account's password confirms that its owner deletes it."""

    password = PasswordField("Your password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


class DeleteClassForm(FlaskForm):
    """The class's name, typed out, confirms its deletion."""

    name = StringField("Type the class name to confirm", validators=[DataRequired(), Length(max=200)])
