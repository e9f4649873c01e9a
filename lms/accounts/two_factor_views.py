"""Second-factor pages of the ``accounts`` blueprint: login step, enrolment, management.

After a correct password, a user with the second factor on is not logged in yet: the session
holds a pending login (user id, expiry, nonce) for five minutes, and /login/two-factor asks a
code or a recovery code. Administrators must use the second factor: one without it is confined
to the enrolment page (``confine_administrators``) until it is on.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts import twofactor
from lms.accounts.blueprint import bp
from lms.accounts.forms import (
    DisableTwoFactorForm,
    EnableTwoFactorForm,
    SecondFactorForm,
    TwoFactorCodeForm,
)
from lms.accounts.models import User
from lms.accounts.permissions import acting_user, login_required
from lms.accounts.services import record_audit_event
from lms.accounts.signin import HOME_ENDPOINT, PENDING_LOGIN_KEY, log_user_in, safe_next_path
from lms.accounts.throttling import current_account, throttle_auth
from lms.accounts.twofactor import TwoFactorError
from lms.core.logging import security_event
from lms.core.time import utcnow
from lms.extensions import db

ENROLMENT_KEY = "enrolment"  # the secret being set up, encrypted (the cookie is only signed)
# What an administrator without the second factor may still reach.
OPEN_TO_UNENROLLED_ADMINS = frozenset(
    {"static", "accounts.two_factor", "accounts.logout", "accounts.set_language"}
)
INVALID_CODE = _l("This code is not valid.")


def pending_user() -> User | None:
    """Return the user of an unexpired pending login, still active and enrolled, or None."""
    state = session.get(PENDING_LOGIN_KEY)
    if not isinstance(state, dict) or not isinstance(state.get("user_id"), int):
        return None
    if not isinstance(state.get("expires"), int) or state["expires"] <= utcnow().timestamp():
        session.pop(PENDING_LOGIN_KEY, None)
        return None
    user = db.session.get(User, state["user_id"])
    if user is None or not user.is_active or not user.two_factor_enabled:
        return None
    return user


def pending_account() -> str:
    """Return the limit key of the account whose login is pending."""
    state = session.get(PENDING_LOGIN_KEY)
    user_id = state.get("user_id") if isinstance(state, dict) else None
    return f"second-factor:{user_id}"


# Failed attempts only: a wrong code shows the form again, a right one redirects.
second_factor_throttle = throttle_auth(
    pending_account,
    account_rate="RATELIMIT_LOGIN_ACCOUNT",
    ip_rate="RATELIMIT_LOGIN_IP",
    only_failures=True,
)
# The pages that show recovery codes answer 200 on success too: they count, harmlessly.
account_code_throttle = throttle_auth(
    current_account,
    account_rate="RATELIMIT_LOGIN_ACCOUNT",
    ip_rate="RATELIMIT_LOGIN_IP",
    only_failures=True,
)


def confine_administrators():
    """Send an administrator without the second factor to the enrolment page.

    No flash: the page itself says why (``must_enrol``), once, however one got there.
    """
    if request.endpoint in OPEN_TO_UNENROLLED_ADMINS or not current_user.is_authenticated:
        return None
    if current_user.is_admin and not current_user.two_factor_enabled:
        return redirect(url_for("accounts.two_factor"))
    return None


@bp.route("/login/two-factor", methods=["GET", "POST"])
@second_factor_throttle
def login_two_factor():
    """Ask the second factor of a pending login; on success, log the user in."""
    next_path = safe_next_path(request.args.get("next"))
    user = pending_user()
    if user is None:
        if current_user.is_authenticated:
            return redirect(next_path or url_for(HOME_ENDPOINT))
        flash(_("Your login has expired. Please log in again."), "info")
        return redirect(url_for("accounts.login", next=next_path))
    form = SecondFactorForm()
    if form.validate_on_submit():
        kind = twofactor.check_second_factor(user, form.code.data)
        if kind is not None:
            return _complete_login(user, kind, next_path)
        security_event("login.second_factor_failure", user_id=user.id)
        form.code.errors.append(str(INVALID_CODE))
    return render_template("accounts/two_factor_login.html", form=form, next_path=next_path)


def _complete_login(user: User, kind: str, next_path: str | None):
    """Log the user in after the second factor; warn when recovery codes run low."""
    log_user_in(user)
    remaining = twofactor.remaining_recovery_codes(user) if kind == "recovery" else None
    db.session.commit()
    security_event("login.second_factor", user_id=user.id, factor=kind)
    if remaining is not None:
        flash(
            _(
                "You used a recovery code; %(count)d remain. Make new ones from your account.",
                count=remaining,
            ),
            "warning",
        )
    return redirect(next_path or url_for(HOME_ENDPOINT))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@account_code_throttle
def two_factor():
    """Set up the second factor (QR code, first code), or show how to manage it once on."""
    user = acting_user()
    if "keep" in request.args:
        session.pop(ENROLMENT_KEY, None)
    if user.two_factor_enabled and ENROLMENT_KEY not in session:
        if request.method == "POST":
            return redirect(url_for("accounts.two_factor"))
        return _manage_page(user)
    secret = _enrolment_secret()
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        was_on = user.two_factor_enabled
        try:
            codes = twofactor.enable(user, secret, form.code.data)
        except TwoFactorError as error:
            form.code.errors.append(str(error))
        else:
            session.pop(ENROLMENT_KEY, None)
            record_audit_event(user, "user.enable_2fa", user, after={"new_device": was_on})
            db.session.commit()
            security_event("user.enable_2fa", user_id=user.id, new_device=was_on)
            return render_template("accounts/two_factor_codes.html", codes=codes)
    return _enrolment_page(user, secret, form)


def _enrolment_secret() -> str:
    """Return the secret being set up, kept encrypted in the session across page loads."""
    encrypted = session.get(ENROLMENT_KEY)
    if isinstance(encrypted, str):
        try:
            return twofactor.decrypt_secret(encrypted)
        except TwoFactorError:
            pass  # made under a key that is gone: start again
    secret = twofactor.new_secret()
    session[ENROLMENT_KEY] = twofactor.encrypt_secret(secret)
    return secret


def _enrolment_page(user: User, secret: str, form):
    """Render the QR code, the secret for typing by hand, and the confirmation form."""
    uri = twofactor.provisioning_uri(user, secret)
    qr = twofactor.qr_code_svg(uri, title=_("QR code to scan with your authenticator app"))
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "accounts/two_factor_enrol.html",
        form=form,
        qr=qr,
        secret=grouped,
        renewing=user.two_factor_enabled,
        must_enrol=user.is_admin and not user.two_factor_enabled,
    )


def _manage_page(user: User, **forms):
    """Render the management page of an enrolled user, with any form given (its errors)."""
    forms.setdefault("codes_form", TwoFactorCodeForm(prefix="codes"))
    forms.setdefault("device_form", TwoFactorCodeForm(prefix="device"))
    forms.setdefault("disable_form", DisableTwoFactorForm(prefix="disable"))
    remaining = twofactor.remaining_recovery_codes(user)
    return render_template("accounts/two_factor_manage.html", remaining=remaining, **forms)


def _report(form, error: TwoFactorError) -> None:
    """Show a refusal beside the field it concerns (the form's box otherwise)."""
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors.append(str(error))
    else:
        form.form_errors.append(str(error))


@bp.post("/account/two-factor/recovery-codes")
@login_required
@account_code_throttle
def two_factor_recovery_codes():
    """Replace the recovery codes (current code required) and show the new ones once."""
    user = acting_user()
    if not user.two_factor_enabled:
        return redirect(url_for("accounts.two_factor"))
    form = TwoFactorCodeForm(prefix="codes")
    if form.validate_on_submit():
        try:
            codes = twofactor.regenerate_recovery_codes(user, form.code.data)
        except TwoFactorError as error:
            _report(form, error)
        else:
            record_audit_event(user, "user.regenerate_recovery_codes", user)
            db.session.commit()
            security_event("user.regenerate_recovery_codes", user_id=user.id)
            return render_template("accounts/two_factor_codes.html", codes=codes)
    return _manage_page(user, codes_form=form)


@bp.post("/account/two-factor/new-device")
@login_required
@account_code_throttle
def two_factor_new_device():
    """Start moving the second factor to a new device (current code required)."""
    user = acting_user()
    if not user.two_factor_enabled:
        return redirect(url_for("accounts.two_factor"))
    form = TwoFactorCodeForm(prefix="device")
    if form.validate_on_submit():
        if twofactor.verify_code(user, form.code.data):
            db.session.commit()  # the code is spent
            session[ENROLMENT_KEY] = twofactor.encrypt_secret(twofactor.new_secret())
            return redirect(url_for("accounts.two_factor"))
        form.code.errors.append(str(INVALID_CODE))
    return _manage_page(user, device_form=form)


@bp.post("/account/two-factor/disable")
@login_required
@account_code_throttle
def two_factor_disable():
    """Turn the second factor off (password and code required); never for administrators."""
    user = acting_user()
    if not user.two_factor_enabled:
        return redirect(url_for("accounts.two_factor"))
    form = DisableTwoFactorForm(prefix="disable")
    if form.validate_on_submit():
        try:
            twofactor.disable(user, form.password.data, form.code.data)
        except TwoFactorError as error:
            _report(form, error)
        else:
            record_audit_event(user, "user.disable_2fa", user)
            db.session.commit()
            security_event("user.disable_2fa", user_id=user.id)
            flash(_("Two-step verification is off."), "success")
            return redirect(url_for("accounts.two_factor"))
    return _manage_page(user, disable_form=form)
