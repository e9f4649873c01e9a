"""The path definition's [modules.assessments.marking]: validation, loading, export round trip."""

from __future__ import annotations

import pytest

from lms.assessments.models import MarkerPool, MarkingAgreement
from lms.curriculum.definition import PathDefinitionError, parse_path_definition
from lms.curriculum.services import export_path, load_path
from lms.extensions import db
from tests.assessments.support import assessments_document
from tests.curriculum.support import to_toml

M1A1 = "modules[0] (M1).assessments[0] (M1-A1)"
M2A1 = "modules[1] (M2).assessments[0] (M2-A1)"
DOUBLE = {
    "markers": ["trainer", "external"],
    "tolerance": 1,
    "agreement": "mean",
    "third_reader": "trainer",
}


def with_marking(marking, module: int = 1) -> str:
    """Return the small definition with ``marking`` on the first assessment of a module."""
    document = assessments_document()
    document["modules"][module]["assessments"][0]["marking"] = marking
    return to_toml(document)


def refusal(text: str) -> list[str]:
    """Return the problems of a refused definition."""
    with pytest.raises(PathDefinitionError) as caught:
        parse_path_definition(text)
    return caught.value.problems


def test_marking_loads_into_the_assessment_and_exports_back():
    definition = parse_path_definition(with_marking(DOUBLE))
    path = load_path(definition).path
    db.session.commit()
    work = next(a for m in path.modules for a in m.assessments if a.code == "M2-A1")
    assert work.marker_pools == [MarkerPool.TRAINER, MarkerPool.EXTERNAL]
    assert (work.marking_tolerance, work.marking_agreement, work.third_reader_pool) == (
        1,
        MarkingAgreement.MEAN,
        MarkerPool.TRAINER,
    )
    exported = parse_path_definition(export_path(path))
    assert exported.modules[1].extra["assessments"][0]["marking"] == DOUBLE
    assert "marking" not in exported.modules[0].extra["assessments"][0]


def test_defaults_are_filled_in():
    definition = parse_path_definition(with_marking({"markers": ["trainer"]}))
    assert definition.modules[1].extra["assessments"][0]["marking"] == {
        "markers": ["trainer"],
        "tolerance": 1,
        "agreement": "lower",
        "third_reader": "trainer",
    }


@pytest.mark.parametrize(
    ("marking", "module", "expected"),
    [
        ({"markers": []}, 1, f"{M2A1}.marking.markers: needs one or two markings (found 0)"),
        (
            {"markers": ["trainer"] * 3},
            1,
            f"{M2A1}.marking.markers: needs one or two markings (found 3)",
        ),
        (
            {"markers": ["trainer", "jury"]},
            1,
            f"{M2A1}.marking.markers: must be one of trainer, external (not jury)",
        ),
        (
            {"markers": ["trainer"], "tolerance": -1},
            1,
            f"{M2A1}.marking.tolerance: must be 0 or more",
        ),
        (
            {"markers": ["trainer"], "agreement": "max"},
            1,
            f"{M2A1}.marking.agreement: must be one of lower, higher, mean (not max)",
        ),
        (
            {"markers": ["trainer"], "third_reader": "learner"},
            1,
            f"{M2A1}.marking.third_reader: must be one of trainer, external (not learner)",
        ),
        ({"tolerance": 1}, 1, f"{M2A1}.marking: missing required key markers"),
        (
            {"markers": ["trainer"], "tolrance": 1},
            1,
            f"{M2A1}.marking: unknown key tolrance (did you mean tolerance?)",
        ),
        (
            {"markers": ["trainer"]},
            0,
            f"{M1A1}: marking does not apply to a quiz (only to: assignment, evaluation)",
        ),
    ],
)
def test_a_bad_marking_table_is_refused_with_its_location(marking, module, expected):
    assert f"<string>: {expected}" in refusal(with_marking(marking, module))
