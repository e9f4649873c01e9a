"""The dashboard's CSV: one long table, one figure a row (docs/territory-dashboard.md).

Columns: ``territory`` (its name, or "all"), ``path`` (the path and version whose grid the row
belongs to; empty for stages), ``figure`` (``stage``, ``domain``, ``dimension_mean``,
``dimension_value``, ``dimension_paired``), ``code`` (stage, domain or dimension code),
``label``, ``moment`` (``ex_ante``, ``ex_post``; empty for stages and domains), ``scale_value``
(the value counted, ``dimension_value`` rows only), ``projects`` and ``mean``. Every cell goes
through ``lms.core.csv`` (formula-safe).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from lms.certificates.territory_dashboard.projects import MOMENTS, ProjectFigures

HEADER = (
    "territory",
    "path",
    "figure",
    "code",
    "label",
    "moment",
    "scale_value",
    "projects",
    "mean",
)


def csv_rows(
    territory: str, figures: ProjectFigures, stage_labels: Mapping[str, str]
) -> Iterator[tuple]:
    """Yield the header, then the stages, and per grid its domains and dimensions."""
    yield HEADER
    for stage, count in figures.stages:
        yield (territory, "", "stage", str(stage), stage_labels[stage], "", "", count, "")
    for section in figures.sections:
        path = section.path_title
        for code, title, count in section.domains:
            yield (territory, path, "domain", code, title, "", "", count, "")
        for dimension in section.dimensions:
            head = (territory, path)
            for moment in MOMENTS:
                at = dimension.at(moment)
                yield (
                    *head,
                    "dimension_mean",
                    dimension.code,
                    dimension.title,
                    str(moment),
                    "",
                    at.evaluated,
                    "" if at.mean is None else at.mean,
                )
                for level in section.grid.levels:
                    yield (
                        *head,
                        "dimension_value",
                        dimension.code,
                        dimension.title,
                        str(moment),
                        level.value,
                        at.count(level.value),
                        "",
                    )
            paired = dimension.paired
            for moment, mean in zip(
                MOMENTS, (paired.mean_ex_ante, paired.mean_ex_post), strict=True
            ):
                yield (
                    *head,
                    "dimension_paired",
                    dimension.code,
                    dimension.title,
                    str(moment),
                    "",
                    paired.projects,
                    "" if mean is None else mean,
                )
