"""Log-in and sign-up forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..web.forms import strip as _strip
from .services import password_problem


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], filters=[_strip])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    submit = SubmitField("Log in")


class SignupForm(FlaskForm):
    """A new account; an instructor code (from configuration) makes it an instructor account."""

    display_name = StringField("Your name", validators=[DataRequired(), Length(max=80)], filters=[_strip],
                               description="Shown to your instructors.")
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False),
                                            Length(max=254)], filters=[_strip])
    password = PasswordField("Password", validators=[DataRequired()],
                             description="At least 8 characters. Spaces and any characters are fine.")
    instructor_code = StringField("Instructor code (optional)",
                                  validators=[Optional(), Length(max=100)],
                                  description="Only for teachers who were given a code.")
    submit = SubmitField("Create account")

    def validate_password(self, field) -> None:
        """Length and common-password rules from accounts."""
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)
