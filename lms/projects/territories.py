"""The projects' answer to ``territory_contents``: the projects on some territories (one query).

The territories' pages list them (each links to its page, which the territory's administrators
read), and a territory with a project cannot be deleted.
"""

from __future__ import annotations

from lms.extensions import db
from lms.organisations.signals import TerritoryEntry
from lms.projects.models import Project


def projects_on_territories(sender: list[int], **_extra) -> list[TerritoryEntry]:
    """Return the projects carried out on the territories ``sender`` names, by title."""
    rows = db.session.execute(
        db.select(Project.territory_id, Project.id, Project.title, Project.holder)
        .where(Project.territory_id.in_(sender))
        .order_by(Project.title)
    )
    return [
        TerritoryEntry(
            territory_id=territory_id,
            kind="project",
            name=title,
            detail=holder,
            endpoint="projects.show",
            url_values={"project_id": project_id},
        )
        for territory_id, project_id, title, holder in rows
    ]
