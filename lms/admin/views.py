"""Global administration (blueprint ``admin``): the overview, users and the audit log."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func
from sqlalchemy.orm import joinedload

from lms.accounts import services as accounts
from lms.accounts.invitations import invite_account
from lms.accounts.models import User
from lms.accounts.permissions import acting_user, admin_required
from lms.accounts.services import AccountError, update_user
from lms.admin.audit_words import action_words
from lms.admin.forms import AuditFilterForm, NewUserForm, UserFilterForm, UserForm
from lms.admin.services import (
    audit_actions,
    audit_csv_rows,
    audit_page,
    end_user_sessions,
    last_logins,
    send_reset_link,
    user_page,
    user_query,
)
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.csv import csv_response
from lms.core.mail import MailError
from lms.core.time import utcnow
from lms.core.transactions import unit_of_work
from lms.core.web import link_args, page_number
from lms.curriculum.models import Module, TrainingPath
from lms.extensions import db
from lms.organisations.filters import territory_filter

bp = Blueprint("admin", __name__, url_prefix="/admin")


def cohort_rows() -> list[tuple[Cohort, int, int]]:
    """Return every cohort with its learner and trainer counts, in one query."""
    counts = (
        db.select(
            Membership.cohort_id,
            func.count(case((Membership.role == MembershipRole.LEARNER, 1))).label("learners"),
            func.count(case((Membership.role == MembershipRole.TRAINER, 1))).label("trainers"),
        )
        .group_by(Membership.cohort_id)
        .subquery()
    )
    query = (
        db.select(Cohort, func.coalesce(counts.c.learners, 0), func.coalesce(counts.c.trainers, 0))
        .outerjoin(counts, counts.c.cohort_id == Cohort.id)
        .options(joinedload(Cohort.path))
        .order_by(Cohort.starts_on.desc(), Cohort.name)
    )
    rows = db.session.execute(query)
    return [(cohort, learners, trainers) for cohort, learners, trainers in rows]


def user_totals() -> dict[str, int]:
    """Count users, active users and administrators, in one query."""
    row = db.session.execute(
        db.select(
            func.count(User.id),
            func.count(case((User.is_active, 1))),
            func.count(case((User.is_admin, 1))),
        )
    ).one()
    return {"users": row[0], "active": row[1], "admins": row[2]}


def path_rows() -> list[tuple[TrainingPath, int]]:
    """Return the loaded paths with their number of modules, in one query."""
    query = (
        db.select(TrainingPath, func.count(Module.id))
        .outerjoin(Module, Module.path_id == TrainingPath.id)
        .group_by(TrainingPath.id)
        .order_by(TrainingPath.code, TrainingPath.version)
    )
    return [(path, modules) for path, modules in db.session.execute(query)]


@bp.get("/")
@admin_required
def overview():
    """Show every cohort with its counts, the user totals and the loaded paths."""
    return render_template(
        "admin/overview.html",
        cohorts=cohort_rows(),
        totals=user_totals(),
        paths=path_rows(),
    )


# Users -----------------------------------------------------------------------------------------

MAIL_FAILED = _l("The e-mail could not be sent. Nothing was changed; try again later.")


@bp.get("/users")
@admin_required
def users():
    """List the users, searched and filtered, fifty per page."""
    form = UserFilterForm(formdata=request.args)
    territories = territory_filter()
    pagination, rows = None, []
    if form.validate():
        query = user_query(
            form.q.data or "", form.role.data, form.status.data, territories.territory_ids
        )
        pagination, rows = user_page(query, page_number())
    return render_template(
        "admin/users_list.html",
        form=form,
        pagination=pagination,
        rows=rows,
        args={**link_args(form), **territories.args},
        territories=territories,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    """Create an account and e-mail the person an invitation to choose a password."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = invite_account(
                    acting_user(),
                    email=form.email.data,
                    display_name=form.display_name.data,
                    locale=form.locale.data,
                    is_admin=form.is_admin.data,
                )
        except AccountError as error:
            form.email.errors.append(str(error))
        except MailError:  # rolled back: no account without its invitation; the admin tries again
            form.form_errors.append(MAIL_FAILED)
        else:
            flash(
                _("Account created; an invitation was sent to %(email)s.", email=user.email),
                "success",
            )
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/users_new.html", form=form)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    """Show an account with its actions; change its e-mail address, name and language."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, user=user)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                update_user(
                    acting_user(),
                    user,
                    email=form.email.data,
                    display_name=form.display_name.data,
                    locale=form.locale.data,
                )
        except AccountError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    last_login = last_logins([user.id]).get(user.id)
    return render_template("admin/users_edit.html", form=form, user=user, last_login=last_login)


def user_action(user_id: int, action: Callable[[User, User], object], done: Callable[[User], str]):
    """Run ``action(actor, user)`` on the user of the URL, commit, say so, back to the user."""
    user = db.get_or_404(User, user_id)
    back = url_for("admin.user_edit", user_id=user.id)
    try:
        with unit_of_work(error_redirect=back):
            action(acting_user(), user)
    except MailError:
        flash(MAIL_FAILED, "error")
    else:
        flash(done(user), "success")
    return redirect(back)


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def user_deactivate(user_id: int):
    """Deactivate an account: the person can no longer log in, their sessions end."""
    return user_action(
        user_id,
        lambda actor, user: accounts.set_active(actor, user, False),
        lambda user: _("%(name)s can no longer log in.", name=user.display_name),
    )


@bp.post("/users/<int:user_id>/reactivate")
@admin_required
def user_reactivate(user_id: int):
    """Reactivate an account."""
    return user_action(
        user_id,
        lambda actor, user: accounts.set_active(actor, user, True),
        lambda user: _("%(name)s can log in again.", name=user.display_name),
    )


@bp.post("/users/<int:user_id>/send-reset")
@admin_required
def user_send_reset(user_id: int):
    """E-mail the person a link to choose a new password."""
    return user_action(
        user_id,
        send_reset_link,
        lambda user: _("A password reset link was sent to %(email)s.", email=user.email),
    )


@bp.post("/users/<int:user_id>/end-sessions")
@admin_required
def user_end_sessions(user_id: int):
    """Sign the person out on every device."""
    return user_action(
        user_id,
        end_user_sessions,
        lambda user: _("%(name)s has been signed out everywhere.", name=user.display_name),
    )


@bp.post("/users/<int:user_id>/grant-admin")
@admin_required
def user_grant_admin(user_id: int):
    """Make the person an administrator."""
    return user_action(
        user_id,
        lambda actor, user: accounts.set_admin(actor, user, True),
        lambda user: _("%(name)s is now an administrator.", name=user.display_name),
    )


@bp.post("/users/<int:user_id>/revoke-admin")
@admin_required
def user_revoke_admin(user_id: int):
    """Withdraw the person's administrator rights and end their sessions."""
    return user_action(
        user_id,
        lambda actor, user: accounts.set_admin(actor, user, False),
        lambda user: _("%(name)s is no longer an administrator.", name=user.display_name),
    )


# Audit log -------------------------------------------------------------------------------------


def audit_filter_form() -> AuditFilterForm:
    """Return the audit filters read from the query string, with the recorded actions."""
    form = AuditFilterForm(formdata=request.args)
    form.set_actions(audit_actions())
    return form


@bp.get("/audit")
@admin_required
def audit():
    """List the audit events, newest first, filtered, fifty per page."""
    form = audit_filter_form()
    pagination = audit_page(form.filters(), page_number()) if form.validate() else None
    return render_template(
        "admin/audit_list.html",
        form=form,
        pagination=pagination,
        args=link_args(form),
        action_words=action_words,
    )


@bp.get("/audit.csv")
@admin_required
def audit_csv():
    """Download the filtered audit events as CSV (see lms.core.csv for the format)."""
    form = audit_filter_form()
    if not form.validate():
        return redirect(url_for("admin.audit", **link_args(form)))
    filename = f"audit-{utcnow():%Y%m%d-%H%M}.csv"
    return csv_response(audit_csv_rows(form.filters()), filename)
