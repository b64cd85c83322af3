"""Sign up, log in, log out and password resets (views). Rate limits: resetlab/web/limits.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from ..models import Role, utcnow
from ..web.access import public
from ..web.forms import ActionForm
from ..web.sessions import new_session
from . import tokens
from .forms import ForgotForm, LoginForm, ResetForm, SignupForm
from .mail import email_enabled, request_reset_email
from .services import (
    EmailTaken,
    InvalidInstructorCode,
    authenticate,
    claim_guest,
    create_user,
    merge_guest,
    revoke_sessions,
    signup_role,
)

bp = Blueprint("auth", __name__, url_prefix="/auth")


def safe_next(target: str | None, home: str = "study.index") -> str:
    """A same-site relative path to go to after login, else the `home` endpoint (the course home)."""
    if target and target.isprintable():  # no line breaks or other controls (a header cannot carry them)
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for(home)


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup():
    """Create an account; an instructor code from configuration makes an instructor."""
    form = SignupForm()
    if form.validate_on_submit():
        try:
            role = signup_role(form.instructor_code.data, current_app.config.get("INSTRUCTOR_SIGNUP_CODE"))
        except InvalidInstructorCode:
            form.instructor_code.errors.append("That instructor code is not valid.")
        else:
            guest = current_user._get_current_object() \
                if current_user.is_authenticated and current_user.is_guest else None
            try:
                if guest is not None and role == Role.STUDENT:
                    user = claim_guest(guest, form.email.data, form.display_name.data, form.password.data)
                else:
                    user = create_user(form.email.data, form.display_name.data, form.password.data, role)
            except EmailTaken:
                form.email.errors.append("An account with this email already exists. Log in instead.")
            else:
                new_session(user)
                if guest is not None:
                    flash("Your progress is saved to your new account.", "success")
                elif user.is_instructor:  # a new instructor starts where classes are made
                    flash("Welcome to Reset Lab! Your account is ready: create your first class below.",
                          "success")
                else:
                    flash("Welcome to Reset Lab! Your account is ready.", "success")
                return redirect(safe_next(request.args.get("next"),
                                          "teach.home" if user.is_instructor else "study.index"))
    status = 422 if request.method == "POST" else 200
    saving = current_user.is_authenticated and current_user.is_guest
    return render_template("auth/signup.html", form=form, saving=saving), status


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Log in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            if current_user.is_authenticated and current_user.is_guest:
                merge_guest(current_user._get_current_object(), user)
            new_session(user)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("Email or password is not right.")
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out everywhere this cookie was copied to (a POST, with CSRF)."""
    form = ActionForm()
    if form.validate_on_submit():
        revoke_sessions(current_user._get_current_object())
        logout_user()
        new_session()
        flash("You are logged out.", "info")
    return redirect(url_for("study.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@public
def forgot():
    """Ask for a reset email (when SMTP is configured); the answer never says whether the address exists."""
    form = ForgotForm()
    enabled = email_enabled(current_app)
    if enabled and form.validate_on_submit():
        request_reset_email(form.email.data)
        flash("If an account uses that address, a link to choose a new password is on its way. "
              "It works once, within the hour.", "info")
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" and enabled else 200
    return render_template("auth/forgot.html", form=form, enabled=enabled), status


@bp.get("/reset/<token>")
@public
def reset_link(token: str):
    """Where a reset link lands: keep the token in the session and drop it from the address bar."""
    session["reset_token"] = token[:tokens.MAX_TOKEN_LENGTH]
    return redirect(url_for("auth.reset"))


@bp.route("/reset", methods=["GET", "POST"])
@public
def reset():
    """Choose a new password with a reset link; every session of the account ends."""
    token = session.get("reset_token", "")
    try:
        user = tokens.user_for_token(token, utcnow())
    except tokens.InvalidToken:
        session.pop("reset_token", None)
        return render_template("auth/reset_invalid.html"), 404
    form = ResetForm()
    form.account_email, form.account_name = user.email, user.display_name
    if form.validate_on_submit():
        try:
            tokens.reset_password(token, form.password.data, utcnow())
        except tokens.InvalidToken:  # used meanwhile (another tab or a double click)
            session.pop("reset_token", None)
            return render_template("auth/reset_invalid.html"), 404
        session.pop("reset_token", None)
        flash("Your password is changed and every other session has ended. Log in with the new one.",
              "success")
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/reset.html", form=form, user=user), status
