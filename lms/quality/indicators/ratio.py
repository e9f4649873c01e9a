"""A figure as a numerator over a denominator, with the number of people it is computed on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ratio:
    """A numerator over a denominator, and the number of people it was computed on."""

    numerator: int
    denominator: int
    people: int

    @property
    def percent(self) -> float | None:
        """Return the ratio in percent, one decimal; None when the denominator is 0."""
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)
