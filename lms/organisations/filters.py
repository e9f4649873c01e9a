"""The territory filter every administration list shares (``?territory=<code>``).

A central administrator may narrow any list to one territory; a local administrator's lists are
always narrowed to their territories, and to one of them when they choose it. An unknown code,
and for a local administrator another territory's code, is a 404: territories do not learn of
each other. One query, whatever the list: the choices, among which the chosen one is found.
The select is drawn by ``templates/organisations/_territory_filter.html`` inside the list's own
filter form, so that the other filters are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request
from flask_login import current_user

from lms.extensions import db
from lms.organisations.access import administered_territory_ids
from lms.organisations.models import Territory

ARG = "territory"


@dataclass(frozen=True)
class TerritoryFilter:
    """The territories a list may be narrowed to, the one chosen, and the user's scope."""

    choices: list[Territory]
    selected: Territory | None
    is_central: bool

    @property
    def territory_ids(self) -> list[int] | None:
        """Return the ids a list keeps (None: every territory, for a central administrator)."""
        if self.selected is not None:
            return [self.selected.id]
        return None if self.is_central else [territory.id for territory in self.choices]

    @property
    def args(self) -> dict[str, str]:
        """Return the query argument that keeps the choice in the list's other links."""
        return {ARG: self.selected.code} if self.selected is not None else {}


def territory_filter() -> TerritoryFilter:
    """Read ``?territory=<code>`` for the current administrator; 404 for a code not theirs."""
    query = db.select(Territory).order_by(Territory.name)
    if not current_user.is_admin:
        query = query.where(Territory.id.in_(administered_territory_ids(current_user)))
    choices = list(db.session.scalars(query))
    code = (request.args.get(ARG) or "").strip()
    selected = None
    if code:
        selected = next((territory for territory in choices if territory.code == code), None)
        if selected is None:
            abort(404)
    return TerritoryFilter(choices, selected, bool(current_user.is_admin))
