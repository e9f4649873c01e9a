"""Definition extensions: how a higher domain adds its own sections to the path definition.

The path-definition file holds more than the curriculum (the assessments' ``[[rubrics]]`` and
``[[modules.assessments]]``), but curriculum must not import the domains above it (DESIGN.md §3).
A higher domain therefore registers a ``DefinitionExtension`` (at import, as a blinker receiver
would connect): curriculum then

- accepts the extension's top-level ``sections`` and ``module_keys`` (other keys stay refused),
- asks it to ``read`` them while parsing: it records its problems with the same locations and
  returns its data in canonical form, which goes into ``PathDefinition.sections`` and
  ``ModuleDefinition.extra``, hence into the SHA-256 (reload unchanged, refuse a change to a
  version in use),
- asks it to ``load`` that data once the path's rows exist, and to ``export`` it back.

An explicit registration rather than three blinker signals: parsing must know *before* reading
which keys belong to whom, and every step needs a value back (problems, data), which an
interface with three methods states plainly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lms.curriculum.definition.document import PathDefinition
    from lms.curriculum.definition.reading import Problems
    from lms.curriculum.models import TrainingPath


@dataclass(frozen=True)
class RawModule:
    """A [[modules]] table as written, for an extension to read its own keys."""

    where: str  # "modules[1] (M2)"
    code: str | None
    table: dict[str, Any]


@dataclass(frozen=True)
class DefinitionContext:
    """What the curriculum part declares, for an extension's cross-checks."""

    competencies: frozenset[str]
    scale: frozenset[int]
    modules: tuple[RawModule, ...]


@dataclass(frozen=True)
class ExtensionData:
    """An extension's part of a definition, as plain TOML values in canonical form.

    ``sections``: top-level arrays of tables, e.g. ``{"rubrics": [...]}``, or tables, e.g.
    ``{"jury": {...}}`` (written back as ``[jury]``); ``modules``: per module
    code, the extension's keys of that module, e.g. ``{"M2": {"assessments": [...]}}``. Leave out
    empty lists, so that a definition without them hashes as before.
    """

    sections: dict[str, Any] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)


class DefinitionExtension:
    """A higher domain's part of the path definition; subclass and register an instance."""

    name: str = ""
    sections: tuple[str, ...] = ()  # top-level arrays of tables, or tables, it reads
    module_keys: tuple[str, ...] = ()  # keys of a [[modules]] table it reads

    def read(
        self, document: dict[str, Any], context: DefinitionContext, problems: Problems
    ) -> ExtensionData:
        """Validate the extension's keys of the document; return its data in canonical form."""
        raise NotImplementedError

    def load(self, path: TrainingPath, definition: PathDefinition) -> None:
        """Write the extension's rows for a path just written from ``definition`` (flush only)."""
        raise NotImplementedError

    def export(self, path: TrainingPath) -> ExtensionData:
        """Return the extension's data of a stored path, as ``read`` would return it."""
        raise NotImplementedError


_extensions: dict[str, DefinitionExtension] = {}


def register_definition_extension(extension: DefinitionExtension) -> DefinitionExtension:
    """Register an extension under its name (registering the same name again replaces it)."""
    _extensions[extension.name] = extension
    return extension


def definition_extensions() -> tuple[DefinitionExtension, ...]:
    """Return the registered extensions, in registration order."""
    return tuple(_extensions.values())
