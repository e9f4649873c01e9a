"""The common project grid's part of the path-definition file: ``[project_grid]``.

```toml
[project_grid]
later_ex_post_months = 6      # default delay of the later ex post evaluation after the defence

[[project_grid.levels]]       # the scale: 2 to 11 values from 0 to 10, each with its label
value = 0
label = "Aucun effet"
description = "…"             # optional

[[project_grid.dimensions]]   # what every project is evaluated on, ex ante and ex post
code = "sante"
title = "Santé et bien-être"
question = "…"
indicators = ["…", "…"]       # what to look at to give the value (at least one)

[[project_grid.domains]]      # the domains of bien-vivre a project may touch
code = "alimentation"
title = "Alimentation"

[[project_grid.uses]]         # the assessments whose work uses the learner's project
assessment = "M8-E1"
moment = "ex_post"            # optional: the evaluation this work documents
dimensions = ["sante", "…"]   # optional: the dimensions it discusses (default: all of them)
```

The loader refuses a duplicate code or value, a value out of 0–10, an unknown assessment, and
an unknown dimension in a use; the section is optional (a path without it has no project grid).
Registered by ``lms.projects.init_app``. A use names its assessment by code and keeps its title
as the file gives it: projects sit beside assessments (DESIGN.md §9) and do not import them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from lms.curriculum.definition import (
    DefinitionContext,
    DefinitionExtension,
    ExtensionData,
    PathDefinition,
)
from lms.curriculum.definition.reading import (
    Field,
    Problems,
    check_references,
    index_entries,
    read_table,
)
from lms.curriculum.models import TrainingPath
from lms.extensions import db
from lms.projects.models import (
    EvaluationMoment,
    ProjectDimension,
    ProjectDomain,
    ProjectGrid,
    ProjectGridLevel,
    ProjectGridUse,
)

SCALE_MIN, SCALE_MAX = 0, 10

LEVEL_FIELDS = {
    "value": Field("int"),
    "label": Field("line", max_length=120),
    "description": Field("text", required=False),
}
DIMENSION_FIELDS = {
    "code": Field("line", max_length=40),
    "title": Field("line", max_length=200),
    "question": Field("text"),
    "indicators": Field("codes"),
}
DOMAIN_FIELDS = {"code": Field("line", max_length=40), "title": Field("line", max_length=120)}
USE_FIELDS = {
    "assessment": Field("line", max_length=20),
    "moment": Field("choice", choices=EvaluationMoment, required=False),
    "dimensions": Field("codes", required=False),
}
GRID_FIELDS = {
    "later_ex_post_months": Field("int", required=False, default=6),
    "levels": Field("tables", fields=LEVEL_FIELDS),
    "dimensions": Field("tables", fields=DIMENSION_FIELDS),
    "domains": Field("tables", fields=DOMAIN_FIELDS),
    "uses": Field("tables", fields=USE_FIELDS, required=False),
}
# Keys of each kind of entry, in the canonical (exported) order.
ENTRY_KEYS = {
    "levels": tuple(LEVEL_FIELDS),
    "dimensions": tuple(DIMENSION_FIELDS),
    "domains": tuple(DOMAIN_FIELDS),
    "uses": tuple(USE_FIELDS),
}


class ProjectGridDefinition(DefinitionExtension):
    """Read, load and export the ``[project_grid]`` table."""

    name = "project_grid"
    sections = ("project_grid",)

    def read(
        self, document: dict[str, Any], context: DefinitionContext, problems: Problems
    ) -> ExtensionData:
        """Validate the grid; return it in canonical form (none: the path has no grid)."""
        if "project_grid" not in document:
            return ExtensionData()
        values = read_table(document["project_grid"], GRID_FIELDS, "project_grid", problems)
        _check_scale(values.get("levels") or [], problems)
        for where, dimension in values.get("dimensions") or []:
            if "indicators" in dimension and not dimension["indicators"]:
                problems.add(where + ".indicators", _("must list at least one indicator"))
        index_entries(values.get("dimensions") or [], "code", problems)
        index_entries(values.get("domains") or [], "code", problems)
        dimensions = {dimension.get("code") for _where, dimension in values.get("dimensions") or []}
        _check_uses(values.get("uses") or [], _assessment_codes(context), dimensions, problems)
        months = values.get("later_ex_post_months")
        if months is not None and not 1 <= months <= 60:
            problems.add(
                "project_grid.later_ex_post_months",
                _("must be from 1 to 60 months (not %(value)d)", value=months),
            )
        return ExtensionData(sections={"project_grid": _canonical(values)})

    def load(self, path: TrainingPath, definition: PathDefinition) -> None:
        """Write the grid's levels, dimensions, domains and uses (flush only)."""
        grid = definition.sections.get("project_grid")
        if grid is None:
            return
        db.session.add(
            ProjectGrid(path_id=path.id, later_ex_post_months=grid["later_ex_post_months"])
        )
        for level in grid["levels"]:
            db.session.add(ProjectGridLevel(path_id=path.id, **level))
        for position, dimension in enumerate(grid["dimensions"], start=1):
            db.session.add(
                ProjectDimension(
                    path_id=path.id,
                    position=position,
                    code=dimension["code"],
                    title=dimension["title"],
                    question=dimension["question"],
                    indicators=list(dimension["indicators"]),
                )
            )
        for position, domain in enumerate(grid["domains"], start=1):
            db.session.add(ProjectDomain(path_id=path.id, position=position, **domain))
        titles = _assessment_titles(definition.modules)
        for position, use in enumerate(grid.get("uses", []), start=1):
            moment = use.get("moment")
            db.session.add(
                ProjectGridUse(
                    path_id=path.id,
                    assessment_code=use["assessment"],
                    assessment_title=titles.get(use["assessment"], use["assessment"]),
                    moment=EvaluationMoment(moment) if moment else None,
                    dimension_codes=list(use.get("dimensions", [])),
                    position=position,
                )
            )
        db.session.flush()

    def export(self, path: TrainingPath) -> ExtensionData:
        """Return the stored grid as ``read`` gives it."""
        grid = _stored_grid(path)
        return ExtensionData(sections={"project_grid": grid}) if grid else ExtensionData()


def _assessment_codes(context: DefinitionContext) -> set[str]:
    """Return the codes of the assessments the modules declare."""
    codes = set()
    for module in context.modules:
        for assessment in module.table.get("assessments") or []:
            if isinstance(assessment, dict) and isinstance(assessment.get("code"), str):
                codes.add(assessment["code"])
    return codes


def _assessment_titles(modules: Any) -> dict[str, str]:
    """Return each assessment's title by code, from the modules' definitions."""
    titles = {}
    for module in modules:
        for assessment in module.extra.get("assessments") or []:
            titles[assessment["code"]] = assessment.get("title", assessment["code"])
    return titles


def _check_scale(levels: list[tuple[str, dict[str, Any]]], problems: Problems) -> None:
    """Values within 0–10, each once, in increasing order, at least two of them."""
    for where, level in levels:
        value = level.get("value")
        if value is not None and not SCALE_MIN <= value <= SCALE_MAX:
            problems.add(
                where + ".value",
                _(
                    "%(value)d is out of the scale's range (%(low)d to %(high)d)",
                    value=value,
                    low=SCALE_MIN,
                    high=SCALE_MAX,
                ),
            )
    index_entries(levels, "value", problems)
    values = [level["value"] for _where, level in levels if "value" in level]
    if values != sorted(values):
        problems.add("project_grid.levels", _("must go from the lowest value to the highest"))
    if len(levels) == 1:
        problems.add("project_grid.levels", _("must have at least two values"))


def _check_uses(
    uses: list[tuple[str, dict[str, Any]]],
    assessments: set[str],
    dimensions: set[Any],
    problems: Problems,
) -> None:
    """Each use names an assessment of the path, once, and dimensions of the grid."""
    index_entries(uses, "assessment", problems)
    for where, use in uses:
        code = use.get("assessment")
        if code is not None and code not in assessments:
            problems.add(where + ".assessment", _("unknown assessment %(code)s", code=code))
        check_references(
            use.get("dimensions", ()),
            dimensions,
            where + ".dimensions",
            problems,
            lambda unknown: _("unknown dimension %(code)s", code=unknown),
        )


def _canonical(values: dict[str, Any]) -> dict[str, Any]:
    """Return the read values as plain TOML values (entries without their locations)."""
    grid: dict[str, Any] = {"later_ex_post_months": values.get("later_ex_post_months", 6)}
    for key, keys in ENTRY_KEYS.items():
        entries = []
        for _where, entry in values.get(key) or []:
            plain = {name: entry[name] for name in keys if name in entry}
            for listed in ("indicators", "dimensions"):
                if listed in plain:
                    plain[listed] = list(plain[listed])
            if "moment" in plain:
                plain["moment"] = str(plain["moment"])
            if not plain.get("description", True):
                del plain["description"]
            entries.append(plain)
        if entries or key != "uses":
            grid[key] = entries
    return grid


def _stored_grid(path: TrainingPath) -> dict[str, Any] | None:
    """Return a stored path's grid in canonical form, or None when it has none."""
    rules = db.session.scalar(db.select(ProjectGrid).filter_by(path_id=path.id))
    if rules is None:
        return None
    levels = db.session.scalars(
        db.select(ProjectGridLevel).filter_by(path_id=path.id).order_by(ProjectGridLevel.value)
    ).all()
    dimensions = db.session.scalars(
        db.select(ProjectDimension).filter_by(path_id=path.id).order_by(ProjectDimension.position)
    ).all()
    domains = db.session.scalars(
        db.select(ProjectDomain).filter_by(path_id=path.id).order_by(ProjectDomain.position)
    ).all()
    uses = db.session.execute(
        db.select(
            ProjectGridUse.assessment_code, ProjectGridUse.moment, ProjectGridUse.dimension_codes
        )
        .where(ProjectGridUse.path_id == path.id)
        .order_by(ProjectGridUse.position)
    ).all()
    grid: dict[str, Any] = {
        "later_ex_post_months": rules.later_ex_post_months,
        "levels": [
            {"value": level.value, "label": level.label}
            | ({"description": level.description} if level.description else {})
            for level in levels
        ],
        "dimensions": [
            {
                "code": dimension.code,
                "title": dimension.title,
                "question": dimension.question,
                "indicators": list(dimension.indicators),
            }
            for dimension in dimensions
        ],
        "domains": [{"code": domain.code, "title": domain.title} for domain in domains],
    }
    if uses:
        grid["uses"] = [
            {"assessment": code}
            | ({"moment": str(moment)} if moment else {})
            | ({"dimensions": list(codes)} if codes else {})
            for code, moment, codes in uses
        ]
    return grid
