"""Questions the organisations domain asks higher domains (blinker signals whose receivers answer).

``territory_contents`` asks what lies on some territories: cohorts (``lms.cohorts``), projects
(``lms.projects``)… Sent with ``sender`` = the territories' ids (a list); each receiver returns
a list of ``TerritoryEntry``, one query each whatever the number of territories. The territories'
pages count them, the local administrator's home lists them, and a territory with any cannot be
deleted. The organisations domain never imports the domains above it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from blinker import Namespace

organisation_signals = Namespace()

territory_contents = organisation_signals.signal(
    "territory-contents",
    doc="Ask what lies on territories (sender: their ids); receivers return [TerritoryEntry].",
)


@dataclass(frozen=True)
class TerritoryEntry:
    """Something on a territory, as its domain names it: a cohort, a project…"""

    territory_id: int
    kind: str  # "cohort", "project": what the pages count and group by
    name: str
    detail: Any = ""  # a short line under the name (dates, state…)
    # Its page for the territory's administrators, if it has one (``url_for`` arguments: the
    # question may be asked outside a request, where no URL can be built).
    endpoint: str | None = None
    url_values: dict[str, Any] = field(default_factory=dict)


def contents_of(territory_ids: Sequence[int]) -> dict[int, list[TerritoryEntry]]:
    """Return what lies on each territory, by territory id (one query per answering domain)."""
    contents: dict[int, list[TerritoryEntry]] = defaultdict(list)
    if not territory_ids:
        return contents
    for _receiver, entries in territory_contents.send(list(territory_ids)):
        for entry in entries or ():
            contents[entry.territory_id].append(entry)
    return contents


def count_by_kind(entries: Sequence[TerritoryEntry]) -> dict[str, int]:
    """Count entries by kind: {"cohort": 2, "project": 5}."""
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        counts[entry.kind] += 1
    return dict(counts)
