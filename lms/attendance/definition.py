"""Attendance's part of the path-definition file: a minimum for the path and rules per module.

```toml
[attendance]
minimum = 80            # percent of the hours of a learner's sessions, over the whole path

[[modules]]
code = "M3"
hours = 21
  [modules.attendance]
  minimum = 80          # optional: percent of this module's session hours, for its completion
  remote_hours = 7      # optional: hours of remote asynchronous work credited once completed
```

Both are optional; a path without them asks nothing of attendance. A module's remote hours cannot
exceed its ``hours``. Registered by ``lms.attendance.init_app`` as a ``DefinitionExtension``
(curriculum does not import attendance).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from lms.attendance.models import ModuleAttendance, PathAttendance
from lms.curriculum.definition import (
    DefinitionContext,
    DefinitionExtension,
    ExtensionData,
    PathDefinition,
)
from lms.curriculum.definition.reading import Field, Problems, read_table
from lms.curriculum.models import TrainingPath
from lms.extensions import db

PATH_FIELDS = {"minimum": Field("int")}
MODULE_FIELDS = {
    "minimum": Field("int", required=False),
    "remote_hours": Field("int", required=False),
}


def _check_percentage(values: dict[str, Any], where: str, problems: Problems) -> None:
    minimum = values.get("minimum")
    if minimum is not None and not 1 <= minimum <= 100:
        problems.add(
            where + ".minimum",
            _("must be a percentage from 1 to 100 (not %(value)d)", value=minimum),
        )


class AttendanceDefinition(DefinitionExtension):
    """Read, load and export ``[attendance]`` and the modules' ``[modules.attendance]``."""

    name = "attendance"
    sections = ("attendance",)
    module_keys = ("attendance",)

    def read(
        self, document: dict[str, Any], context: DefinitionContext, problems: Problems
    ) -> ExtensionData:
        """Validate the minimums (percentages) and remote hours (within the module's hours)."""
        sections: dict[str, Any] = {}
        if "attendance" in document:
            values = read_table(document["attendance"], PATH_FIELDS, "attendance", problems)
            _check_percentage(values, "attendance", problems)
            sections["attendance"] = values
        modules: dict[str, dict[str, Any]] = {}
        for module in context.modules:
            if "attendance" not in module.table:
                continue
            where = module.where + ".attendance"
            values = read_table(module.table["attendance"], MODULE_FIELDS, where, problems)
            _check_percentage(values, where, problems)
            remote, hours = values.get("remote_hours"), module.table.get("hours")
            if remote is not None and remote < 0:
                problems.add(where + ".remote_hours", _("must be 0 or more"))
            elif remote is not None and isinstance(hours, int) and remote > hours:
                problems.add(
                    where + ".remote_hours",
                    _(
                        "%(remote)d remote hours exceed the module's %(hours)d hours",
                        remote=remote,
                        hours=hours,
                    ),
                )
            if values.get("remote_hours") == 0:
                del values["remote_hours"]  # the default, left out of the canonical form
            if module.code is not None and values:
                modules[module.code] = {"attendance": values}
        return ExtensionData(sections=sections, modules=modules)

    def load(self, path: TrainingPath, definition: PathDefinition) -> None:
        """Write the path's and the modules' attendance rules (flush only)."""
        rules = definition.sections.get("attendance")
        if rules is not None:
            db.session.add(PathAttendance(path_id=path.id, minimum_percent=rules["minimum"]))
        for module_definition, module in zip(definition.modules, path.modules, strict=True):
            values = module_definition.extra.get("attendance")
            if values:
                db.session.add(
                    ModuleAttendance(
                        module_id=module.id,
                        minimum_percent=values.get("minimum"),
                        remote_hours=values.get("remote_hours", 0),
                    )
                )

    def export(self, path: TrainingPath) -> ExtensionData:
        """Return the stored rules as ``read`` gives them."""
        rules = db.session.scalar(db.select(PathAttendance).filter_by(path_id=path.id))
        sections = {"attendance": {"minimum": rules.minimum_percent}} if rules else {}
        modules: dict[str, dict[str, Any]] = {}
        rows = db.session.scalars(
            db.select(ModuleAttendance).where(
                ModuleAttendance.module_id.in_([module.id for module in path.modules])
            )
        )
        codes = {module.id: module.code for module in path.modules}
        for row in rows:
            values: dict[str, Any] = {}
            if row.minimum_percent is not None:
                values["minimum"] = row.minimum_percent
            if row.remote_hours:
                values["remote_hours"] = row.remote_hours
            modules[codes[row.module_id]] = {"attendance": values}
        return ExtensionData(sections=sections, modules=modules)
