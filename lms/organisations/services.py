"""Territories and their local administrators: what central administrators do with them.

Each use case flushes, never commits (the view's ``unit_of_work`` does), audits what changed
and refuses with a ``TerritoryError`` whose message says why (and ``field``, which input to
blame). Codes and names are unique (database constraints); the checks here turn a taken one
into a message, and a savepoint turns the race of two identical requests into the same message.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.services import find_user_by_email, record_audit_event
from lms.core.transactions import DomainError
from lms.extensions import db
from lms.organisations.models import Territory, TerritoryAdministrator
from lms.organisations.signals import contents_of, count_by_kind

# A code is a lower-case slug: it stands in URLs and filters (?territory=lille).
CODE_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FIELDS = ("code", "name", "area", "company", "description")


class TerritoryError(DomainError):
    """A change to a territory was refused; the message says why (and ``field`` which input)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def territory_snapshot(territory: Territory) -> dict[str, Any]:
    """Describe a territory's editable fields with plain values, for the audit trail."""
    return {name: getattr(territory, name) for name in FIELDS}


def _clean(values: dict[str, Any]) -> dict[str, str]:
    """Strip the values, lower the code; refuse an empty code or name, or a code not a slug."""
    cleaned = {name: str(values.get(name) or "").strip() for name in FIELDS}
    cleaned["code"] = cleaned["code"].lower()
    if not cleaned["name"]:
        raise TerritoryError(_("Give the territory a name."), field="name")
    if not CODE_PATTERN.fullmatch(cleaned["code"]):
        raise TerritoryError(
            _("A code is made of lower-case letters, digits and single hyphens: “lille”."),
            field="code",
        )
    return cleaned


def _check_unique(values: dict[str, str], territory: Territory | None) -> None:
    """Refuse a code or a name another territory already has (one query)."""
    others = db.session.execute(
        db.select(Territory.code, Territory.name).where(
            (Territory.code == values["code"]) | (Territory.name == values["name"]),
            Territory.id != (territory.id if territory else -1),
        )
    ).all()
    if any(code == values["code"] for code, _name in others):
        raise TerritoryError(
            _("Another territory has the code “%(code)s”.", code=values["code"]), field="code"
        )
    if others:
        raise TerritoryError(
            _("Another territory is named “%(name)s”.", name=values["name"]), field="name"
        )


def _save_unique(values: dict[str, str], territory: Territory) -> None:
    """Write the territory's values in a savepoint: a code or a name taken meanwhile by another
    request is refused like one taken before (the change is made inside the savepoint, so that
    the flush that fails is the savepoint's, not the request's)."""
    try:
        with db.session.begin_nested():
            for name, value in values.items():
                setattr(territory, name, value)
            db.session.add(territory)
    except IntegrityError:
        _check_unique(values, territory if territory.id else None)
        raise TerritoryError(_("Another territory has this code or this name.")) from None


def create_territory(actor: User, **values: Any) -> Territory:
    """Create a territory (code, name, area, company, description); audited."""
    cleaned = _clean(values)
    _check_unique(cleaned, None)
    territory = Territory()
    _save_unique(cleaned, territory)
    record_audit_event(actor, "territory.create", territory, after=cleaned)
    return territory


def update_territory(actor: User, territory: Territory, **values: Any) -> bool:
    """Change a territory's code, name, area, company or description; audited. Say if it changed."""
    cleaned = _clean(values)
    before = territory_snapshot(territory)
    if cleaned == before:
        return False
    _check_unique(cleaned, territory)
    _save_unique(cleaned, territory)
    record_audit_event(actor, "territory.update", territory, before=before, after=cleaned)
    return True


def delete_territory(actor: User, territory: Territory) -> None:
    """Delete a territory on which nothing lies (no cohort, no project); audited."""
    counts = count_by_kind(contents_of([territory.id]).get(territory.id, []))
    if counts:
        raise TerritoryError(
            _(
                "“%(name)s” cannot be deleted: %(contents)s still belong to it. Move them to "
                "another territory first.",
                name=territory.name,
                contents=describe_counts(counts),
            )
        )
    before = territory_snapshot(territory)
    try:
        with db.session.begin_nested():
            db.session.delete(territory)
    except IntegrityError:  # a cohort placed on it meanwhile: the foreign key keeps it
        raise TerritoryError(
            _(
                "“%(name)s” cannot be deleted: something was placed on it meanwhile.",
                name=before["name"],
            )
        ) from None
    record_audit_event(actor, "territory.delete", territory, before=before)


def describe_counts(counts: dict[str, int]) -> str:
    """Say what lies on a territory in words: « 2 cohorts, 1 project »."""
    words = {
        "cohort": lambda n: ngettext("%(num)d cohort", "%(num)d cohorts", n),
        "project": lambda n: ngettext("%(num)d project", "%(num)d projects", n),
    }
    return ", ".join(
        words[kind](count) if kind in words else f"{count} {kind}"
        for kind, count in sorted(counts.items())
    )


def name_local_admin(actor: User, territory: Territory, email: str) -> TerritoryAdministrator:
    """Name the user with this e-mail local administrator of the territory; audited."""
    user = find_user_by_email(email)
    if user is None:
        raise TerritoryError(
            _("No account uses this e-mail address: create the account first."), field="email"
        )
    if user.is_admin:
        raise TerritoryError(
            _(
                "%(name)s is a central administrator and already manages every territory.",
                name=user.display_name,
            ),
            field="email",
        )
    if not user.is_active:
        raise TerritoryError(
            _("%(name)s's account is deactivated.", name=user.display_name), field="email"
        )
    already = _(
        "%(name)s already administers “%(territory)s”.",
        name=user.display_name,
        territory=territory.name,
    )
    if db.session.scalar(
        db.select(TerritoryAdministrator.id).filter_by(territory_id=territory.id, user_id=user.id)
    ):
        raise TerritoryError(already, field="email")
    try:
        with db.session.begin_nested():
            named = TerritoryAdministrator(
                territory_id=territory.id, user_id=user.id, named_by_id=actor.id
            )
            db.session.add(named)
    except IntegrityError:  # the same person named twice at once
        raise TerritoryError(already, field="email") from None
    record_audit_event(
        actor, "territory.admin.add", territory, after={"user_id": user.id, "email": user.email}
    )
    return named


def remove_local_admin(actor: User, named: TerritoryAdministrator) -> None:
    """Take a local administrator off their territory; audited."""
    territory, user = named.territory, named.user
    territory.administrators.remove(named)
    db.session.flush()
    record_audit_event(
        actor, "territory.admin.remove", territory, before={"user_id": user.id, "email": user.email}
    )
