"""Login and logout (blueprint ``accounts``), and the login manager's configuration."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from lms.accounts.forms import LoginForm
from lms.accounts.models import User
from lms.accounts.passwords import check_credentials
from lms.extensions import db, login_manager

bp = Blueprint("accounts", __name__)

HOME_ENDPOINT = "learning.home"


@bp.record_once
def _configure_login_manager(state) -> None:
    """Point Flask-Login at our login page and user loader when the blueprint is registered."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)


def load_user(user_id: str) -> User | None:
    """Return the active user stored in the session, or None (the visitor is then anonymous)."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError, OverflowError):
        return None
    return user if user is not None and user.is_active else None


@bp.app_context_processor
def _locale_context() -> dict[str, str]:
    """Give every template the language of the page (``<html lang>``)."""
    return {"current_locale": str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])}


def safe_next_path(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, None otherwise.

    Only a relative path starting with a single ``/`` is accepted. Browsers read a backslash as
    a slash and drop tabs and newlines, so ``/\\evil.example`` or ``/\t/evil.example`` would
    leave the site: such characters are refused outright, as are schemes (``javascript:``,
    ``https:evil.example``) and hosts (``//evil.example``).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(char == "\\" or ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; sign the user in and send them where they were going."""
    next_path = safe_next_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for(HOME_ENDPOINT))
    form = LoginForm()
    if form.validate_on_submit():
        user = check_credentials(form.email.data, form.password.data)
        if user is not None:
            _start_session(user)
            return redirect(next_path or url_for(HOME_ENDPOINT))
        current_app.logger.info(
            "login.failure email=%r ip=%s", form.email.data, request.remote_addr
        )
        # One message for an unknown e-mail, a wrong password and an inactive account.
        form.form_errors.append(_("Incorrect e-mail address or password."))
    return render_template("accounts/login.html", form=form, next_path=next_path)


def _start_session(user: User) -> None:
    """Drop everything the anonymous session held (no fixation), then log the user in."""
    session.clear()
    login_user(user)
    current_app.logger.info("login.success user_id=%s ip=%s", user.id, request.remote_addr)


@bp.post("/logout")
def logout():
    """End the session (POST with a CSRF token only) and go back to the login page."""
    if current_user.is_authenticated:
        current_app.logger.info("logout user_id=%s", current_user.id)
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "success")
    return redirect(url_for("accounts.login"))
