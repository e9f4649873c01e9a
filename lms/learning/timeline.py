"""Lay out the path's chronology as a picture: one card per module, arrows for prerequisites.

Pure geometry (no Flask, no database): ``layout_timeline`` takes one ``TimelineEntry`` per module
(plain values) and returns where each card and arrow goes; ``templates/learning/_timeline.svg.html``
draws it. Time flows downwards: a module's **rank** is the length of the longest prerequisite
chain leading to it, so modules that may run side by side (M3 and M4) share a rank and appear
next to each other, each rank below all of its prerequisites.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from lms.curriculum.graph import topological_order

CARD_WIDTH = 300
CARD_HEIGHT = 100
COLUMN_GAP = 32
RANK_GAP = 32
MARGIN = 16
GUTTER = 96  # the time axis, on the left, with the date each rank opens
CARD_PADDING = 14
TITLE_CHARACTERS = 36  # per title line, at the card's font size
TITLE_LINES = 2

# What a module looks like: its state, refined with "in progress" (open, some lessons done).
STAGES = ("completed", "in-progress", "open", "locked")


@dataclass(frozen=True)
class TimelineEntry:
    """A module as the timeline needs it: plain values only."""

    code: str
    title: str
    status: str  # the chronology engine's state: "locked", "open" or "completed"
    prerequisites: tuple[str, ...] = ()
    lessons_done: int = 0
    lessons_total: int = 0
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    calendar_opened: bool = False  # the calendar has opened it (it may still be locked)
    is_late: bool = False  # open after its deadline (see ``lms.learning.progress.is_late``)
    href: str | None = None  # where the card links, None when it must not (locked)


@dataclass(frozen=True)
class TimelineNode:
    """A module's card: its entry, place in the chronology and box (top-left corner, size)."""

    entry: TimelineEntry
    rank: int
    column: int
    x: float
    y: float
    width: float = CARD_WIDTH
    height: float = CARD_HEIGHT

    @property
    def stage(self) -> str:
        return module_stage(self.entry.status, self.entry.lessons_done)

    @property
    def center_x(self) -> float:
        return self.x + self.width / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def title_lines(self) -> tuple[str, ...]:
        return wrap_title(self.entry.title)

    @property
    def bar_width(self) -> float:
        """Return the filled width of the progress bar that spans the card's inner width."""
        inner = self.width - 2 * CARD_PADDING
        return progress_width(self.entry.lessons_done, self.entry.lessons_total, inner)


@dataclass(frozen=True)
class TimelineArrow:
    """An arrow from a prerequisite's card to the card of the module that needs it."""

    source: str
    target: str
    path: str  # SVG path data
    is_done: bool  # the prerequisite is completed


@dataclass(frozen=True)
class TimelineRank:
    """A step of the time axis: its modules, the height of their centre, the earliest opening."""

    index: int
    codes: tuple[str, ...]
    y: float
    opens_at: datetime | None


@dataclass(frozen=True)
class Timeline:
    """The whole picture: cards in chronological order, arrows, ranks and the canvas size."""

    nodes: tuple[TimelineNode, ...]
    arrows: tuple[TimelineArrow, ...]
    ranks: tuple[TimelineRank, ...]
    width: float
    height: float

    @property
    def axis_x(self) -> float:
        """Return where the time axis runs, inside the gutter, left of the cards."""
        return MARGIN + GUTTER - 24

    def node(self, code: str) -> TimelineNode:
        """Return the card of one module."""
        return next(node for node in self.nodes if node.entry.code == code)


def module_stage(status: str, lessons_done: int) -> str:
    """Return "in-progress" for an open module with lessons done, else the status itself."""
    return "in-progress" if status == "open" and lessons_done > 0 else status


def compute_ranks(prerequisites: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Return each module's rank: 0 without prerequisite, else one more than its latest one."""
    ranks: dict[str, int] = {}
    for code in topological_order(prerequisites):
        ranks[code] = 1 + max((ranks[need] for need in prerequisites[code]), default=-1)
    return ranks


def wrap_title(title: str, width: int = TITLE_CHARACTERS, lines: int = TITLE_LINES) -> tuple:
    """Break a title into at most ``lines`` lines of ``width`` characters, ending with "…"."""
    result: list[str] = []
    words = title.split()
    while words and len(result) < lines:
        word = words.pop(0)
        line = word if len(word) <= width else word[: width - 1] + "…"
        while words and len(line) + 1 + len(words[0]) <= width:
            line += " " + words.pop(0)
        result.append(line)
    if words:
        last = result[-1]
        result[-1] = (last if len(last) < width else last[: width - 1].rstrip()) + "…"
    return tuple(result)


def progress_width(done: int, total: int, width: float) -> float:
    """Return the filled part of a bar of ``width`` for ``done`` of ``total`` (0 when empty)."""
    if total <= 0:
        return 0.0
    return round(width * min(max(done, 0), total) / total, 1)


def layout_timeline(entries: Sequence[TimelineEntry]) -> Timeline:
    """Place every module's card by rank (rows) and arrows for every prerequisite edge.

    Raise ``CycleError`` or ``KeyError`` for a bad graph (see ``topological_order``).
    """
    prerequisites = {entry.code: list(entry.prerequisites) for entry in entries}
    order = topological_order(prerequisites)
    ranks = compute_ranks(prerequisites)
    rows: list[list[str]] = [[] for _ in range(max(ranks.values(), default=-1) + 1)]
    for code in order:
        rows[ranks[code]].append(code)
    columns = max((len(row) for row in rows), default=1)
    content = columns * CARD_WIDTH + (columns - 1) * COLUMN_GAP
    by_code = {entry.code: entry for entry in entries}
    nodes = {
        code: _place(by_code[code], rank, column, len(row), content)
        for rank, row in enumerate(rows)
        for column, code in enumerate(row)
    }
    return Timeline(
        nodes=tuple(nodes[code] for code in order),
        arrows=tuple(_arrows(order, prerequisites, nodes)),
        ranks=tuple(_rank(index, row, nodes) for index, row in enumerate(rows)),
        width=MARGIN * 2 + GUTTER + content,
        height=MARGIN * 2 + len(rows) * CARD_HEIGHT + max(len(rows) - 1, 0) * RANK_GAP,
    )


def _place(entry: TimelineEntry, rank: int, column: int, in_row: int, content: float):
    """Place a card: rows are centred in the content area, right of the time axis."""
    row_width = in_row * CARD_WIDTH + (in_row - 1) * COLUMN_GAP
    left = MARGIN + GUTTER + (content - row_width) / 2
    return TimelineNode(
        entry=entry,
        rank=rank,
        column=column,
        x=left + column * (CARD_WIDTH + COLUMN_GAP),
        y=MARGIN + rank * (CARD_HEIGHT + RANK_GAP),
    )


def _arrows(order, prerequisites, nodes: Mapping[str, TimelineNode]) -> list[TimelineArrow]:
    """Draw a curve from the bottom of each prerequisite to the top of the module needing it."""
    arrows = []
    for code in order:
        target = nodes[code]
        for need in prerequisites[code]:
            source = nodes[need]
            x1, y1, x2, y2 = source.center_x, source.bottom, target.center_x, target.y
            middle = (y1 + y2) / 2
            path = f"M{x1:g},{y1:g} C{x1:g},{middle:g} {x2:g},{middle:g} {x2:g},{y2:g}"
            done = source.entry.status == "completed"
            arrows.append(TimelineArrow(need, code, path, done))
    return arrows


def _rank(index: int, row: Sequence[str], nodes: Mapping[str, TimelineNode]) -> TimelineRank:
    """Describe a step of the time axis, dated by the earliest opening among its modules."""
    dates = [nodes[code].entry.opens_at for code in row if nodes[code].entry.opens_at]
    y = nodes[row[0]].y + CARD_HEIGHT / 2
    return TimelineRank(index, tuple(row), y, min(dates, default=None))
