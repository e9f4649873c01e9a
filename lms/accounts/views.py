"""Login, logout, password change and reset, "my sessions" (blueprint ``accounts``).

Every request is authenticated against its server-side session record (lms.accounts.sessions),
and every authentication form is throttled (lms.accounts.throttling). The second-factor pages
live in lms.accounts.two_factor_views, on the same blueprint (lms.accounts.blueprint); what both
login steps share is in lms.accounts.signin.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from lms.accounts import services, tokens
from lms.accounts.blueprint import bp
from lms.accounts.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from lms.accounts.models import User, UserSession, normalise_email
from lms.accounts.permissions import acting_user, login_required
from lms.accounts.sessions import (
    SESSION_KEY,
    end_session,
    end_sessions,
    find_live_session,
    live_sessions,
    touch_session,
)
from lms.accounts.signin import HOME_ENDPOINT, log_user_in, safe_next_path, start_pending_login
from lms.accounts.throttling import (
    login_throttle,
    password_change_throttle,
    reset_request_throttle,
    reset_token_throttle,
)
from lms.core.logging import security_event
from lms.core.transactions import unit_of_work
from lms.extensions import db, login_manager

# The reset page's URL once the token has moved from the address into the session.
RESET_PLACEHOLDER = "choose"
RESET_SENT = _l(
    "If an account exists for this address, we have sent it a link to choose a new password. "
    "The link works once, for 60 minutes."
)


@bp.record_once
def _configure_login_manager(state) -> None:
    """Point Flask-Login at our login page and user loader when the blueprint is registered."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)


def load_user(user_id: str) -> User | None:
    """Return the user of a live server-side session record, or None (then anonymous)."""
    record = find_live_session(
        session.get(SESSION_KEY),
        lifetime=current_app.permanent_session_lifetime,
        idle_timeout=current_app.config["SESSION_IDLE_TIMEOUT"],
    )
    if record is None or str(record.user_id) != user_id or not record.user.is_active:
        return None
    g.user_session = record
    return record.user


def current_session() -> UserSession | None:
    """Return the session record of the logged-in visitor (None when anonymous)."""
    return g.get("user_session") if current_user.is_authenticated else None


def note_activity() -> None:
    """Authenticate the request first, and note the session's use (one write a minute)."""
    if request.endpoint == "static":
        return
    record = current_session()
    if record is not None and touch_session(record):
        # Nothing else is pending yet: the view has not run.
        db.session.commit()


@bp.app_context_processor
def _locale_context() -> dict[str, str]:
    """Give every template the language of the page (``<html lang>``)."""
    return {"current_locale": str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])}


@bp.route("/login", methods=["GET", "POST"])
@login_throttle
def login():
    """Show the login form; sign the user in and send them where they were going."""
    next_path = safe_next_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for(HOME_ENDPOINT))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.check_credentials(form.email.data, form.password.data)
        if user is not None and user.two_factor_enabled:
            # Not logged in yet: the second factor comes first (lms.accounts.two_factor_views).
            start_pending_login(user)
            return redirect(url_for("accounts.login_two_factor", next=next_path))
        if user is not None:
            with unit_of_work():
                log_user_in(user)
            return redirect(next_path or url_for(HOME_ENDPOINT))
        security_event("login.failure", email=normalise_email(form.email.data))
        # One message for an unknown e-mail, a wrong password and an inactive account.
        form.form_errors.append(_("Incorrect e-mail address or password."))
    return render_template("accounts/login.html", form=form, next_path=next_path)


@bp.post("/logout")
def logout():
    """End the session (POST with a CSRF token only) and go back to the login page."""
    record = current_session()
    if record is not None:
        with unit_of_work():
            end_session(record, reason="logout")
        security_event("logout", user_id=record.user_id)
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@password_change_throttle
def change_password():
    """Change one's password (current one required); the other sessions end."""
    user = acting_user()
    form = ChangePasswordForm()
    form.policy_email = user.email
    if form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("Your current password is not correct."))
            security_event("password_change.failure", user_id=user.id)
        else:
            with unit_of_work():
                services.change_password(
                    user, form.new_password.data, current_session=current_session()
                )
                services.record_audit_event(user, "user.password_change", user)
            security_event("password_change", user_id=user.id)
            flash(_("Your password has been changed; your other sessions have ended."), "success")
            return redirect(url_for("accounts.change_password"))
    return render_template("accounts/change_password.html", form=form)


@bp.get("/account/sessions")
@login_required
def my_sessions():
    """List the visitor's live sessions, the current one marked."""
    records = live_sessions(
        current_user,
        lifetime=current_app.permanent_session_lifetime,
        idle_timeout=current_app.config["SESSION_IDLE_TIMEOUT"],
    )
    return render_template("accounts/sessions.html", records=records, current=current_session())


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def session_end(session_id: int):
    """End one of the visitor's own sessions (another user's session id: 404)."""
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    is_current = record.id == current_session().id
    with unit_of_work():
        end_session(record, reason="ended_by_user")
    security_event("sessions.ended", user_id=record.user_id, count=1, session_id=record.id)
    if is_current:
        logout_user()
        session.clear()
        flash(_("You have been logged out."), "success")
        return redirect(url_for("accounts.login"))
    flash(_("The session has been ended."), "success")
    return redirect(url_for("accounts.my_sessions"))


@bp.post("/account/sessions/end-others")
@login_required
def sessions_end_others():
    """End every session of the visitor except the current one."""
    with unit_of_work():
        count = end_sessions(current_user, keep=current_session(), reason="ended_by_user")
    security_event("sessions.ended", user_id=current_user.id, count=count)
    flash(_("Your other sessions have been ended."), "success")
    return redirect(url_for("accounts.my_sessions"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@reset_request_throttle
def forgot_password():
    """Ask for a reset link; the answer is the same whether the account exists or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with unit_of_work():
            tokens.request_password_reset(form.email.data)
        security_event("password_reset.requested", email=normalise_email(form.email.data))
        flash(RESET_SENT, "info")
        return redirect(url_for("accounts.forgot_password"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@reset_token_throttle
def reset_password(token: str):
    """Choose a password through an e-mailed link; success ends every session of the user."""
    if token != RESET_PLACEHOLDER:
        # Move the token out of the address bar: no Referer or later log line can carry it.
        session[tokens.RESET_SESSION_KEY] = token
        return redirect(url_for("accounts.reset_password", token=RESET_PLACEHOLDER))
    record = tokens.find_usable_token(session.get(tokens.RESET_SESSION_KEY, ""))
    if record is None:
        return render_template("accounts/link_invalid.html"), 400
    form = NewPasswordForm()
    form.policy_email = record.user.email
    if form.validate_on_submit():
        with unit_of_work():
            user = tokens.reset_password(record, form.new_password.data)
            services.record_audit_event(user, f"user.password_{record.purpose.value}", user)
        security_event("password_reset.completed", user_id=user.id, purpose=record.purpose.value)
        logout_user()
        session.clear()
        flash(_("Your password has been saved. You can log in with it now."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, purpose=record.purpose)


@bp.post("/language")
def set_language():
    """Switch the interface language (the user's preference, or the visitor's session).

    Only a language of ``LANGUAGES`` is accepted (anything else is a forged request: 400); the
    answer goes back to the page the switcher was on when it is a path on this site.
    """
    from lms.core import i18n

    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated:
        # A preference of the person's own, like the language an administrator sets for them.
        with unit_of_work():
            current_user.locale = locale
    else:
        session[i18n.SESSION_KEY] = locale  # until they log in
    return redirect(safe_next_path(request.form.get("next")) or url_for("learning.home"))
