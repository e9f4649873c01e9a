"""The organisation and its territories (blueprint ``territories_admin``).

Central administrators (``admin_required``) see the organisation as the settings give it,
create, edit and delete territories and name their local administrators. A local administrator
(``territory_admin_required``) has a home listing their territories and what lies on them.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.accounts.permissions import acting_user, admin_required
from lms.core.transactions import unit_of_work
from lms.extensions import db
from lms.organisations.access import administered_territory_ids, territory_admin_required
from lms.organisations.forms import ActionForm, LocalAdminForm, TerritoryForm
from lms.organisations.models import Territory, TerritoryAdministrator
from lms.organisations.organisation import organisation_name, organisation_settings
from lms.organisations.services import (
    TerritoryError,
    create_territory,
    delete_territory,
    describe_counts,
    name_local_admin,
    remove_local_admin,
    update_territory,
)
from lms.organisations.signals import contents_of, count_by_kind

bp = Blueprint("territories_admin", __name__)


def territories_with_admins(*where) -> list[Territory]:
    """Return territories by name with their local administrators (two queries)."""
    query = (
        db.select(Territory)
        .where(*where)
        .options(selectinload(Territory.administrators).joinedload(TerritoryAdministrator.user))
        .order_by(Territory.name)
    )
    return list(db.session.scalars(query))


def territory_rows(territories: list[Territory]) -> list[tuple[Territory, dict[str, int]]]:
    """Return each territory with what lies on it, counted by kind (one query per domain)."""
    contents = contents_of([territory.id for territory in territories])
    return [(territory, count_by_kind(contents.get(territory.id, []))) for territory in territories]


@bp.get("/admin/organisation")
@admin_required
def organisation():
    """Show the organisation's name and legal details as the settings give them, and its
    territories."""
    return render_template(
        "organisations/organisation.html",
        name=organisation_name(),
        settings=organisation_settings(),
        rows=territory_rows(territories_with_admins()),
    )


@bp.get("/admin/territories")
@admin_required
def territory_list():
    """List the territories with their company, local administrators and cohorts."""
    return render_template(
        "organisations/territories.html", rows=territory_rows(territories_with_admins())
    )


def _refuse(form, error: TerritoryError) -> None:
    """Show a refused change beside the field to blame, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


@bp.route("/admin/territories/new", methods=["GET", "POST"])
@admin_required
def territory_new():
    """Create a territory."""
    form = TerritoryForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                territory = create_territory(acting_user(), **form.values())
        except TerritoryError as error:
            _refuse(form, error)
        else:
            flash(_("The territory “%(name)s” was created.", name=territory.name), "success")
            return redirect(url_for(".territory_edit", territory_id=territory.id))
    return render_template("organisations/territory_new.html", form=form), (
        422 if form.errors or form.form_errors else 200
    )


def _territory_or_404(territory_id: int) -> Territory:
    """Return the territory with its local administrators (two queries); 404 when unknown."""
    territories = territories_with_admins(Territory.id == territory_id)
    if not territories:
        abort(404)
    return territories[0]


def render_territory(territory: Territory, form=None, admin_form=None, status: int = 200):
    """Render a territory's page: its settings form, local administrators and contents."""
    contents = contents_of([territory.id]).get(territory.id, [])
    return (
        render_template(
            "organisations/territory.html",
            territory=territory,
            form=form or TerritoryForm(obj=territory, formdata=None),
            admin_form=admin_form or LocalAdminForm(formdata=None),
            action_form=ActionForm(formdata=None),
            contents=contents,
            counts=describe_counts(count_by_kind(contents)),
        ),
        status,
    )


@bp.route("/admin/territories/<int:territory_id>", methods=["GET", "POST"])
@admin_required
def territory_edit(territory_id: int):
    """Edit a territory's code, name, area, company and description."""
    territory = _territory_or_404(territory_id)
    form = TerritoryForm(obj=territory)
    if not form.is_submitted():
        return render_territory(territory, form)
    if form.validate():
        try:
            with unit_of_work():
                changed = update_territory(acting_user(), territory, **form.values())
        except TerritoryError as error:
            _refuse(form, error)
        else:
            if changed:
                flash(_("The territory “%(name)s” was saved.", name=territory.name), "success")
            return redirect(url_for(".territory_edit", territory_id=territory.id))
    return render_territory(territory, form, status=422)


@bp.post("/admin/territories/<int:territory_id>/delete")
@admin_required
def territory_delete(territory_id: int):
    """Delete a territory on which nothing lies; otherwise say what is still on it."""
    territory = db.get_or_404(Territory, territory_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = territory.name
    with unit_of_work(error_redirect=url_for(".territory_edit", territory_id=territory_id)):
        delete_territory(acting_user(), territory)
    flash(_("The territory “%(name)s” was deleted.", name=name), "success")
    return redirect(url_for(".territory_list"))


@bp.post("/admin/territories/<int:territory_id>/administrators")
@admin_required
def administrator_add(territory_id: int):
    """Name a local administrator of the territory by their e-mail address."""
    territory = _territory_or_404(territory_id)
    form = LocalAdminForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                named = name_local_admin(acting_user(), territory, form.email.data)
        except TerritoryError as error:
            _refuse(form, error)
        else:
            flash(
                _(
                    "%(name)s is now a local administrator of “%(territory)s”.",
                    name=named.user.display_name,
                    territory=territory.name,
                ),
                "success",
            )
            return redirect(url_for(".territory_edit", territory_id=territory.id))
    territory = _territory_or_404(territory_id)  # as stored: the refused work was rolled back
    return render_territory(territory, admin_form=form, status=422)


@bp.post("/admin/territories/<int:territory_id>/administrators/<int:administrator_id>/remove")
@admin_required
def administrator_remove(territory_id: int, administrator_id: int):
    """Take a local administrator off the territory."""
    named = db.first_or_404(
        db.select(TerritoryAdministrator).filter_by(id=administrator_id, territory_id=territory_id)
    )
    if not ActionForm().validate_on_submit():
        abort(400)
    name, territory_name = named.user.display_name, named.territory.name
    with unit_of_work():
        remove_local_admin(acting_user(), named)
    flash(
        _(
            "%(name)s no longer administers “%(territory)s”.",
            name=name,
            territory=territory_name,
        ),
        "success",
    )
    return redirect(url_for(".territory_edit", territory_id=territory_id))


@bp.get("/my-territories")
@territory_admin_required
def my_territories():
    """Show a local administrator their territories and what lies on each (central: all)."""
    user: User = current_user
    where = () if user.is_admin else (Territory.id.in_(administered_territory_ids(user)),)
    territories = territories_with_admins(*where)
    contents = contents_of([territory.id for territory in territories])
    return render_template(
        "organisations/my_territories.html",
        territories=[(territory, contents.get(territory.id, [])) for territory in territories],
    )
