"""The common project grid of a path, read once per page: its scale, dimensions, domains, uses."""

from __future__ import annotations

from dataclasses import dataclass

from lms.extensions import db
from lms.projects.models import (
    ProjectDimension,
    ProjectDomain,
    ProjectGrid,
    ProjectGridLevel,
    ProjectGridUse,
)


@dataclass(frozen=True)
class Grid:
    """A path's project grid: everything a form, a page or a chart needs to show it."""

    path_id: int
    later_ex_post_months: int
    levels: tuple[ProjectGridLevel, ...]
    dimensions: tuple[ProjectDimension, ...]
    domains: tuple[ProjectDomain, ...]
    uses: tuple[ProjectGridUse, ...]

    @property
    def lowest(self) -> int:
        return self.levels[0].value

    @property
    def highest(self) -> int:
        return self.levels[-1].value

    def label_of(self, value: int) -> str:
        """Return the label of a value of the scale (the value itself when not on it)."""
        return next((level.label for level in self.levels if level.value == value), str(value))


def grid_of(path_id: int) -> Grid | None:
    """Return the path's project grid, or None when its definition declares none (5 queries)."""
    rules = db.session.scalar(db.select(ProjectGrid).filter_by(path_id=path_id))
    if rules is None:
        return None

    def rows(model, order):
        return tuple(
            db.session.scalars(db.select(model).filter_by(path_id=path_id).order_by(order))
        )

    return Grid(
        path_id=path_id,
        later_ex_post_months=rules.later_ex_post_months,
        levels=rows(ProjectGridLevel, ProjectGridLevel.value),
        dimensions=rows(ProjectDimension, ProjectDimension.position),
        domains=rows(ProjectDomain, ProjectDomain.position),
        uses=rows(ProjectGridUse, ProjectGridUse.position),
    )
