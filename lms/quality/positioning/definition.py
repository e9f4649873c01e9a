"""The entry positioning's part of the path-definition file: ``[positioning]``.

```toml
[positioning]
entry_quiz = "M1-Q0"   # optional: a quiz of the path the learner may take at entry
instructions = '''
What the learner reads before positioning themselves (Markdown).
'''
```

The loader refuses an entry quiz that is not an assessment of the path, or an assessment that
is not a quiz, and blank instructions; the section is optional (a path without it still lets
its learners self-assess, with no instructions and no quiz). Registered by
``lms.quality.positioning.init_app``. The quiz is named by code, as the file names it: the
positioning reads its results through ``lms.quality.positioning.quiz``.
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
from lms.curriculum.definition.reading import Field, Problems, read_table
from lms.curriculum.models import TrainingPath
from lms.extensions import db
from lms.quality.positioning.models import PathPositioning

FIELDS = {
    "entry_quiz": Field("line", required=False, max_length=20),
    "instructions": Field("text"),
}


class PositioningDefinition(DefinitionExtension):
    """Read, load and export the ``[positioning]`` table."""

    name = "positioning"
    sections = ("positioning",)

    def read(
        self, document: dict[str, Any], context: DefinitionContext, problems: Problems
    ) -> ExtensionData:
        """Validate the section; return it in canonical form (none: the path declares none)."""
        if "positioning" not in document:
            return ExtensionData()
        values = read_table(document["positioning"], FIELDS, "positioning", problems)
        if "instructions" in values and not values["instructions"].strip():
            problems.add(
                "positioning.instructions",
                _("must say what the learner reads before positioning themselves"),
            )
        code = values.get("entry_quiz")
        if code is not None:
            kind = _assessment_kinds(context).get(code)
            if kind is None:
                problems.add("positioning.entry_quiz", _("unknown assessment %(code)s", code=code))
            elif kind != "quiz":
                problems.add(
                    "positioning.entry_quiz",
                    _("%(code)s is not a quiz: the entry quiz must be one", code=code),
                )
        section = {"instructions": values.get("instructions", "")}
        if code is not None:
            section = {"entry_quiz": code, **section}
        return ExtensionData(sections={"positioning": section})

    def load(self, path: TrainingPath, definition: PathDefinition) -> None:
        """Write the path's positioning rules (flush only)."""
        section = definition.sections.get("positioning")
        if section is None:
            return
        db.session.add(
            PathPositioning(
                path_id=path.id,
                entry_quiz_code=section.get("entry_quiz"),
                instructions=section["instructions"],
            )
        )
        db.session.flush()

    def export(self, path: TrainingPath) -> ExtensionData:
        """Return the stored section as ``read`` gives it."""
        rules = db.session.get(PathPositioning, path.id)
        if rules is None:
            return ExtensionData()
        section: dict[str, Any] = {"instructions": rules.instructions}
        if rules.entry_quiz_code is not None:
            section = {"entry_quiz": rules.entry_quiz_code, **section}
        return ExtensionData(sections={"positioning": section})


def _assessment_kinds(context: DefinitionContext) -> dict[str, str]:
    """Return the kind of each assessment the modules declare, by code."""
    kinds = {}
    for module in context.modules:
        for assessment in module.table.get("assessments") or []:
            if isinstance(assessment, dict) and isinstance(assessment.get("code"), str):
                kinds[assessment["code"]] = str(assessment.get("kind", ""))
    return kinds
