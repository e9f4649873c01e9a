"""The projects of a territory (or of all), aggregated in SQL: stages, domains, grid dimensions.

Every figure is one ``GROUP BY`` statement whatever the number of projects: the Python that
follows only arranges a handful of aggregate rows (one per stage, domain, or dimension × moment
× value of the scale) into the page's sections, one per path grid. ``territory_id=None`` is
every territory (the central view).

A project is counted on the territory where it is carried out (``Project.territory_id``) and
under the grid of its cohort's path. Means are over the projects evaluated at that moment;
the **paired** means are over the projects evaluated at both moments only, so that their
difference is the change of the same projects.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Select, func
from sqlalchemy.orm import aliased

from lms.cohorts.models import Cohort
from lms.curriculum.models import TrainingPath
from lms.extensions import db
from lms.projects.grid import Grid, grid_of
from lms.projects.models import (
    EvaluationMoment,
    Project,
    ProjectEvaluation,
    ProjectEvaluationValue,
    ProjectStage,
    project_domain_links,
)

MOMENTS = (EvaluationMoment.EX_ANTE, EvaluationMoment.EX_POST)


@dataclass(frozen=True)
class MomentFigures:
    """One dimension at one moment: projects evaluated, mean value, count per value."""

    evaluated: int = 0
    mean: float | None = None
    counts: dict[int, int] = field(default_factory=dict)

    def count(self, value: int) -> int:
        return self.counts.get(value, 0)


@dataclass(frozen=True)
class Paired:
    """The projects evaluated on a dimension both ex ante and ex post, and their two means."""

    projects: int = 0
    mean_ex_ante: float | None = None
    mean_ex_post: float | None = None

    @property
    def change(self) -> float | None:
        if self.mean_ex_ante is None or self.mean_ex_post is None:
            return None
        return round(self.mean_ex_post - self.mean_ex_ante, 2)


@dataclass(frozen=True)
class DimensionFigures:
    code: str
    title: str
    ex_ante: MomentFigures
    ex_post: MomentFigures
    paired: Paired

    def at(self, moment: str) -> MomentFigures:
        return self.ex_ante if moment == EvaluationMoment.EX_ANTE else self.ex_post


@dataclass(frozen=True)
class GridSection:
    """The projects under one path's grid: how many, by domain, and each dimension's figures."""

    grid: Grid
    path_title: str
    projects: int
    domains: tuple[tuple[str, str, int], ...]  # (code, title, projects), in the grid's order
    dimensions: tuple[DimensionFigures, ...]


@dataclass(frozen=True)
class ProjectFigures:
    total: int
    stages: tuple[tuple[ProjectStage, int], ...]  # every stage, in the order projects go
    sections: tuple[GridSection, ...]


def _mean(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _scoped(query: Select, territory_id: int | None) -> Select:
    if territory_id is None:
        return query
    return query.where(Project.territory_id == territory_id)


def _evaluated(query: Select) -> Select:
    """Join a query on values to their evaluation, project and cohort."""
    return (
        query.join(ProjectEvaluation, ProjectEvaluation.id == ProjectEvaluationValue.evaluation_id)
        .join(Project, Project.id == ProjectEvaluation.project_id)
        .join(Cohort, Cohort.id == Project.cohort_id)
    )


def cohort_path_ids(territory_id: int | None) -> set[int]:
    """Return the paths the territory's cohorts follow (their grids get a section)."""
    query = db.select(Cohort.path_id).distinct()
    if territory_id is not None:
        query = query.where(Cohort.territory_id == territory_id)
    return set(db.session.scalars(query))


def stage_counts(territory_id: int | None) -> dict[ProjectStage, int]:
    query = _scoped(db.select(Project.stage, func.count(Project.id)), territory_id)
    return dict(db.session.execute(query.group_by(Project.stage)).tuples().all())


def path_counts(territory_id: int | None) -> dict[int, int]:
    """Return path id -> number of projects whose cohort follows it."""
    query = db.select(Cohort.path_id, func.count(Project.id)).join(
        Cohort, Cohort.id == Project.cohort_id
    )
    query = _scoped(query, territory_id).group_by(Cohort.path_id)
    return dict(db.session.execute(query).tuples().all())


def domain_counts(territory_id: int | None) -> dict[int, int]:
    """Return domain id -> number of projects touching it."""
    query = db.select(project_domain_links.c.domain_id, func.count()).join(
        Project, Project.id == project_domain_links.c.project_id
    )
    query = _scoped(query, territory_id).group_by(project_domain_links.c.domain_id)
    return dict(db.session.execute(query).tuples().all())


def distribution_rows(territory_id: int | None) -> list:
    """Return (path, dimension, moment, value, projects) rows: the count of each value."""
    value = ProjectEvaluationValue.value
    query = _evaluated(
        db.select(
            Cohort.path_id,
            ProjectEvaluationValue.dimension_id,
            ProjectEvaluation.moment,
            value,
            func.count(),
        )
    ).where(ProjectEvaluation.moment.in_(MOMENTS))
    query = _scoped(query, territory_id).group_by(
        Cohort.path_id, ProjectEvaluationValue.dimension_id, ProjectEvaluation.moment, value
    )
    return list(db.session.execute(query).tuples())


def mean_rows(territory_id: int | None) -> list:
    """Return (path, dimension, moment, projects, mean) rows."""
    query = _evaluated(
        db.select(
            Cohort.path_id,
            ProjectEvaluationValue.dimension_id,
            ProjectEvaluation.moment,
            func.count(func.distinct(ProjectEvaluation.project_id)),
            func.avg(ProjectEvaluationValue.value),
        )
    ).where(ProjectEvaluation.moment.in_(MOMENTS))
    query = _scoped(query, territory_id).group_by(
        Cohort.path_id, ProjectEvaluationValue.dimension_id, ProjectEvaluation.moment
    )
    return list(db.session.execute(query).tuples())


def paired_rows(territory_id: int | None) -> list:
    """Return (path, dimension, projects, mean ex ante, mean ex post) over projects evaluated
    on the dimension at both moments."""
    ante_eval, post_eval = aliased(ProjectEvaluation), aliased(ProjectEvaluation)
    ante, post = aliased(ProjectEvaluationValue), aliased(ProjectEvaluationValue)
    query = (
        db.select(
            Cohort.path_id,
            ante.dimension_id,
            func.count(Project.id),
            func.avg(ante.value),
            func.avg(post.value),
        )
        .select_from(Project)
        .join(Cohort, Cohort.id == Project.cohort_id)
        .join(
            ante_eval,
            (ante_eval.project_id == Project.id) & (ante_eval.moment == EvaluationMoment.EX_ANTE),
        )
        .join(
            post_eval,
            (post_eval.project_id == Project.id) & (post_eval.moment == EvaluationMoment.EX_POST),
        )
        .join(ante, ante.evaluation_id == ante_eval.id)
        .join(post, (post.evaluation_id == post_eval.id) & (post.dimension_id == ante.dimension_id))
    )
    query = _scoped(query, territory_id).group_by(Cohort.path_id, ante.dimension_id)
    return list(db.session.execute(query).tuples())


def _section(
    grid: Grid, path_title: str, projects: int, domains: dict[int, int], rows: dict
) -> GridSection:
    dimensions = []
    for dimension in grid.dimensions:
        moments = {}
        for moment in MOMENTS:
            evaluated, mean = rows["means"].get((dimension.id, moment), (0, None))
            counts = rows["counts"].get((dimension.id, moment), {})
            moments[moment] = MomentFigures(evaluated, _mean(mean), dict(counts))
        pairs, ante, post = rows["paired"].get(dimension.id, (0, None, None))
        dimensions.append(
            DimensionFigures(
                dimension.code,
                dimension.title,
                moments[EvaluationMoment.EX_ANTE],
                moments[EvaluationMoment.EX_POST],
                Paired(pairs, _mean(ante), _mean(post)),
            )
        )
    return GridSection(
        grid,
        path_title,
        projects,
        tuple((d.code, d.title, domains.get(d.id, 0)) for d in grid.domains),
        tuple(dimensions),
    )


def project_figures(territory_id: int | None, path_ids: set[int]) -> ProjectFigures:
    """Return the projects' figures: by stage, and one section per path grid.

    ``path_ids`` are the paths of the scope's cohorts: their grids get a section even before
    any project is declared. Constant number of queries in the number of projects.
    """
    stages = stage_counts(territory_id)
    by_path = path_counts(territory_id)
    domains = domain_counts(territory_id)
    per_path: dict[int, dict] = defaultdict(
        lambda: {"means": {}, "counts": defaultdict(dict), "paired": {}}
    )
    for path_id, dimension_id, moment, value, count in distribution_rows(territory_id):
        per_path[path_id]["counts"][(dimension_id, moment)][value] = count
    for path_id, dimension_id, moment, count, mean in mean_rows(territory_id):
        per_path[path_id]["means"][(dimension_id, moment)] = (count, mean)
    for path_id, dimension_id, count, ante, post in paired_rows(territory_id):
        per_path[path_id]["paired"][dimension_id] = (count, ante, post)
    wanted = path_ids | set(by_path)
    titles = db.session.execute(
        db.select(TrainingPath.id, TrainingPath.title, TrainingPath.version)
        .where(TrainingPath.id.in_(wanted))
        .order_by(TrainingPath.title, TrainingPath.version)
    ).all()
    sections = []
    for path_id, title, version in titles:
        grid = grid_of(path_id)
        if grid is None:
            continue
        sections.append(
            _section(
                grid, f"{title} (v{version})", by_path.get(path_id, 0), domains, per_path[path_id]
            )
        )
    return ProjectFigures(
        total=sum(stages.values()),
        stages=tuple((stage, stages.get(stage, 0)) for stage in ProjectStage),
        sections=tuple(sections),
    )
