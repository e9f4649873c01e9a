"""The jury's part of the path-definition file: a top-level ``[jury]`` table and its seats.

```toml
[jury]
size = 3                 # members (2 or more: a jury is collegial)
min_external_share = 50  # percent of members external to the organisation
quorum = 2               # votes cast on a candidate (recused members do not vote) to decide
majority = "simple"      # simple (more than half of the votes cast) | two_thirds
[[jury.seats]]
code = "formateur"
title = "Formateur·ice"
external = false
count = 1
```

The seats' counts add up to ``size``: every member sits in a declared seat. The external seats
must be able to meet ``min_external_share``. Registered by ``lms.certificates.init_app`` as a
``DefinitionExtension`` (curriculum does not import certificates).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from lms.certificates.jury.models import Majority, PathJury
from lms.curriculum.definition import (
    DefinitionContext,
    DefinitionExtension,
    ExtensionData,
    PathDefinition,
)
from lms.curriculum.definition.reading import Field, Problems, index_entries, read_table
from lms.curriculum.models import TrainingPath
from lms.extensions import db

SEAT_FIELDS = {
    "code": Field("line", max_length=40),
    "title": Field("line", max_length=200),
    "external": Field("bool"),
    "count": Field("int", required=False, default=1),
}
JURY_FIELDS = {
    "size": Field("int"),
    "min_external_share": Field("int", required=False, default=50),
    "quorum": Field("int"),
    "majority": Field("choice", choices=Majority, required=False, default=Majority.SIMPLE),
    "seats": Field("tables", fields=SEAT_FIELDS),
}


def jury_of_path(path_id: int) -> PathJury | None:
    """Return the jury the path declares, if any (one query)."""
    return db.session.scalar(db.select(PathJury).filter_by(path_id=path_id))


class JuryDefinition(DefinitionExtension):
    """Read, load and export the ``[jury]`` table."""

    name = "jury"
    sections = ("jury",)

    def read(
        self, document: dict[str, Any], context: DefinitionContext, problems: Problems
    ) -> ExtensionData:
        """Validate the jury's rules; return them in canonical form (none: no jury)."""
        if "jury" not in document:
            return ExtensionData()
        values = read_table(document["jury"], JURY_FIELDS, "jury", problems)
        seats = values.get("seats") or []
        index_entries(seats, "code", problems)
        for where, seat in seats:
            if seat.get("count", 1) < 1:
                problems.add(where + ".count", _("must be 1 or more"))
        _check_rules(values, problems)
        return ExtensionData(sections={"jury": _canonical(values)})

    def load(self, path: TrainingPath, definition: PathDefinition) -> None:
        """Write the path's jury rules, if it declares a jury (flush only)."""
        rules = definition.sections.get("jury")
        if rules is None:
            return
        db.session.add(
            PathJury(
                path_id=path.id,
                size=rules["size"],
                min_external_share=rules["min_external_share"],
                quorum=rules["quorum"],
                majority=Majority(rules["majority"]),
                seats=[dict(seat) for seat in rules["seats"]],
            )
        )

    def export(self, path: TrainingPath) -> ExtensionData:
        """Return the stored jury rules as ``read`` gives them."""
        rules = jury_of_path(path.id)
        if rules is None:
            return ExtensionData()
        return ExtensionData(
            sections={
                "jury": {
                    "size": rules.size,
                    "min_external_share": rules.min_external_share,
                    "quorum": rules.quorum,
                    "majority": rules.majority.value,
                    "seats": [dict(seat) for seat in rules.seats],
                }
            }
        )


def _canonical(values: dict[str, Any]) -> dict[str, Any]:
    """Return the read values as plain TOML values (seats without their locations)."""
    plain = {key: value for key, value in values.items() if key != "seats"}
    plain["majority"] = str(plain.get("majority", Majority.SIMPLE))
    plain["seats"] = [dict(seat) for _where, seat in values.get("seats") or []]
    return {key: plain[key] for key in JURY_FIELDS if key in plain}


def _check_rules(values: dict[str, Any], problems: Problems) -> None:
    """Size ≥ 2, quorum within it, a percentage, seats adding up to the size and able to meet
    the external share."""
    size, quorum = values.get("size"), values.get("quorum")
    if size is not None and size < 2:
        problems.add("jury.size", _("must be 2 or more: a jury is collegial"))
    if quorum is not None and size is not None and not 1 <= quorum <= size:
        problems.add(
            "jury.quorum", _("must be from 1 to the jury's size (%(size)d)", size=max(size, 1))
        )
    share = values.get("min_external_share", 0)
    if not 0 <= share <= 100:
        problems.add(
            "jury.min_external_share",
            _("must be a percentage from 0 to 100 (not %(value)d)", value=share),
        )
    seats = [seat for _where, seat in values.get("seats") or []]
    if size is None or not seats or any("count" not in seat for seat in seats):
        return
    total = sum(seat["count"] for seat in seats)
    if total != size:
        problems.add(
            "jury.seats",
            _(
                "the seats' counts add up to %(total)d, not to the jury's size (%(size)d)",
                total=total,
                size=size,
            ),
        )
        return
    external = sum(seat["count"] for seat in seats if seat.get("external"))
    if 0 <= share <= 100 and external * 100 < share * size:
        problems.add(
            "jury.seats",
            _(
                "%(external)d external seat(s) of %(size)d cannot meet the minimum external"
                " share of %(share)d%%",
                external=external,
                size=size,
                share=share,
            ),
        )
