"""Log-in, sign-up and password forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..web.forms import strip as _strip
from .passwords import MAX_LENGTH, password_problem

PASSWORD_HINT = ("At least 8 characters; spaces and any characters are fine. Not a common password, "
                 "and not your name or email.")


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], filters=[_strip])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField("Log in")


class NewPasswordForm(FlaskForm):
    """A form that sets a password: `password` is checked against the rules and the account's identity
    (`identity()`: its email and display name)."""

    password = PasswordField("New password", validators=[DataRequired()], description=PASSWORD_HINT)
    account_email: str | None = None
    account_name: str | None = None

    def identity(self) -> tuple[str | None, str | None]:
        """The email and display name the password must not contain."""
        return self.account_email, self.account_name

    def validate_password(self, field) -> None:
        """Length, common-password and identity rules (resetlab.auth.passwords)."""
        problem = password_problem(field.data or "", *self.identity())
        if problem:
            raise ValidationError(problem)


class SignupForm(NewPasswordForm):
    """A new account; an instructor code (from configuration) makes it an instructor account."""

    display_name = StringField("Your name", validators=[DataRequired(), Length(max=80)], filters=[_strip],
                               description="Shown to your instructors.")
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False),
                                            Length(max=254)], filters=[_strip])
    password = PasswordField("Password", validators=[DataRequired()], description=PASSWORD_HINT)
    instructor_code = StringField("Instructor code (optional)",
                                  validators=[Optional(), Length(max=100)],
                                  description="Only for teachers who were given a code.")
    submit = SubmitField("Create account")

    def identity(self) -> tuple[str | None, str | None]:
        """The email and name typed in this form."""
        return self.email.data, self.display_name.data


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one (every other session ends)."""

    current_password = PasswordField("Current password", validators=[DataRequired(),
                                                                     Length(max=MAX_LENGTH)])


class ForgotForm(FlaskForm):
    """The email address to send a reset link to."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], filters=[_strip])


class ResetForm(NewPasswordForm):
    """A new password chosen from a reset link."""
