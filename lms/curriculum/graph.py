"""The prerequisite graph between modules, as plain data (no Flask, no database)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class CycleError(ValueError):
    """The prerequisites loop back on themselves; ``cycle`` lists the modules in order."""

    def __init__(self, cycle: list[str]):
        self.cycle = cycle
        super().__init__("prerequisites form a cycle: " + " → ".join([*cycle, cycle[0]]))


def topological_order(prerequisites: Mapping[str, Iterable[str]]) -> list[str]:
    """Order modules so that each comes after its prerequisites.

    ``prerequisites`` maps every module code, in its declared order, to the codes it requires.
    Among modules that are free at the same time the declared order wins, so the result is
    stable (M3 before M4 when both only need M2). Raise ``CycleError`` naming one cycle, and
    ``KeyError`` for a prerequisite that is not a key.
    """
    order = list(prerequisites)
    rank = {code: index for index, code in enumerate(order)}
    remaining = {code: set(prerequisites[code]) for code in order}
    for code, needs in remaining.items():
        for need in needs:
            if need not in rank:
                raise KeyError(f"{code} requires unknown module {need}")
    result: list[str] = []
    while remaining:
        ready = [code for code, needs in remaining.items() if not needs]
        if not ready:
            raise CycleError(_find_cycle(remaining))
        chosen = min(ready, key=rank.__getitem__)
        result.append(chosen)
        del remaining[chosen]
        for needs in remaining.values():
            needs.discard(chosen)
    return result


def _find_cycle(remaining: Mapping[str, set[str]]) -> list[str]:
    """Walk unmet prerequisites from any blocked module until a module repeats."""
    path: list[str] = []
    seen: dict[str, int] = {}
    code = min(remaining)
    while code not in seen:
        seen[code] = len(path)
        path.append(code)
        code = min(remaining[code])
    cycle = path[seen[code] :]
    # Report the cycle in the direction of the chronology: prerequisite first.
    cycle.reverse()
    return cycle
