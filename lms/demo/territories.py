"""The demo's organisation territories: those its source names, each with its local company.

The path was designed by Crois/Sens with its partner Pragma-tic for skills development; it works
through co-development companies in Lille and its metropolis, Mulhouse/Strasbourg and Grenoble
(the first three territories named, five are planned).
"""

from __future__ import annotations

from collections.abc import Callable

from lms.accounts.models import User
from lms.extensions import db
from lms.organisations.models import Territory, TerritoryAdministrator

# code → (name, area, local co-development company, what it does there)
TERRITORIES = {
    "lille": (
        "Lille et sa métropole",
        "Métropole Européenne de Lille (95 communes)",
        "Société de co-développement du bien-vivre de la métropole lilloise",
        "Premier territoire d'expérimentation : quartiers de Fives, Moulins et Roubaix-Épeule.",
    ),
    "mulhouse-strasbourg": (
        "Mulhouse / Strasbourg",
        "Mulhouse Alsace Agglomération et Eurométropole de Strasbourg",
        "Société de co-développement du bien-vivre d'Alsace",
        "Deux agglomérations, une équipe : projets de quartier et coopérations transfrontalières.",
    ),
    "grenoble": (
        "Grenoble",
        "Grenoble-Alpes Métropole (49 communes)",
        "Société de co-développement du bien-vivre de l'agglomération grenobloise",
        "Transition alimentaire et énergétique avec les communes de la métropole.",
    ),
}
LILLE, ALSACE, GRENOBLE = TERRITORIES
# code → (slug, name, role as printed): each territory's local administrator.
LOCAL_ADMINISTRATORS = {
    LILLE: ("nadia.lefebvre", "Nadia Lefebvre", "administratrice locale — Lille"),
    ALSACE: ("thomas.schmitt", "Thomas Schmitt", "administrateur local — Mulhouse / Strasbourg"),
    GRENOBLE: ("julie.roux", "Julie Roux", "administratrice locale — Grenoble"),
}


def ensure_territories() -> dict[str, Territory]:
    """Create the demo's territories where missing; return them by code (flush only)."""
    existing = {
        territory.code: territory
        for territory in db.session.scalars(
            db.select(Territory).where(Territory.code.in_(TERRITORIES))
        )
    }
    for code, (name, area, company, description) in TERRITORIES.items():
        if code not in existing:
            existing[code] = Territory(
                code=code, name=name, area=area, company=company, description=description
            )
            db.session.add(existing[code])
    db.session.flush()
    return existing


def ensure_local_administrators(
    find_user: Callable[[str, str], User], named_by: User
) -> list[tuple[str, User]]:
    """Name each territory's local administrator where not yet; return them with their role.

    ``find_user(slug, name)`` returns the demo account, creating it where missing.
    """
    territories = ensure_territories()
    named = set(
        db.session.execute(
            db.select(TerritoryAdministrator.territory_id, TerritoryAdministrator.user_id)
        ).tuples()
    )
    people = []
    for code, (slug, name, role) in LOCAL_ADMINISTRATORS.items():
        user, territory = find_user(slug, name), territories[code]
        if (territory.id, user.id) not in named:
            db.session.add(
                TerritoryAdministrator(territory=territory, user=user, named_by_id=named_by.id)
            )
        people.append((role, user))
    db.session.flush()
    return people
