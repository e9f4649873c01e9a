"""The demo's organisation territories: those its source names, each with its local company.

The path was designed by Crois/Sens with its partner Pragma-tic for skills development; it works
through co-development companies in Lille and its metropolis, Mulhouse/Strasbourg and Grenoble
(the first three territories named, five are planned).
"""

from __future__ import annotations

from lms.extensions import db
from lms.organisations.models import Territory

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
