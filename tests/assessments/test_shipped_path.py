"""The shipped path « Entrepreneur·e du bien-vivre »: every module assessed, a final defence."""

from __future__ import annotations

from lms.curriculum.definition import parse_path_definition
from lms.curriculum.services import LoadOutcome, export_path, load_path, shipped_path_file
from lms.extensions import db


def shipped_definition():
    """Parse the shipped path-definition file."""
    return parse_path_definition(shipped_path_file().read_text(encoding="utf-8"))


def test_every_module_has_an_assessment():
    definition = shipped_definition()
    assert all(module.extra.get("assessments") for module in definition.modules)


def test_m8_ends_with_an_evaluation_whose_rubric_covers_every_block():
    definition = shipped_definition()
    final = definition.modules[-1]
    assert final.code == "M8"
    defence = final.extra["assessments"][-1]
    assert defence["kind"] == "evaluation"
    rubric = next(r for r in definition.sections["rubrics"] if r["code"] == defence["rubric"])
    block_of = {competency.code: competency.block for competency in definition.competencies}
    covered = {block_of[criterion["competency"]] for criterion in rubric["criteria"]}
    assert covered == {block.code for block in definition.blocks}


def test_shipped_path_loads_and_exports_back_unchanged():
    path = load_path(shipped_definition()).path
    db.session.commit()
    assert len(path.rubrics) >= 1
    assert load_path(parse_path_definition(export_path(path))).outcome is LoadOutcome.UNCHANGED
