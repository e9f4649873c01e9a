"""The path-definition file: its dataclasses, parser, reading helpers and extension hook.

- ``document``: the validated definition (frozen dataclasses) and the curriculum errors;
- ``reading``: reading TOML tables against a field spec, with located messages;
- ``parser``: ``parse_path_definition``;
- ``extensions``: how a higher domain adds its own sections (assessments, rubrics).
"""

from lms.curriculum.definition.document import (
    BlockDefinition,
    CompetencyDefinition,
    CurriculumError,
    LessonDefinition,
    ModuleDefinition,
    PathDefinition,
    PathDefinitionError,
    ScaleLevel,
)
from lms.curriculum.definition.extensions import (
    DefinitionContext,
    DefinitionExtension,
    ExtensionData,
    RawModule,
    definition_extensions,
    register_definition_extension,
)
from lms.curriculum.definition.parser import merge_module_data, parse_path_definition

__all__ = [
    "BlockDefinition",
    "CompetencyDefinition",
    "CurriculumError",
    "DefinitionContext",
    "DefinitionExtension",
    "ExtensionData",
    "LessonDefinition",
    "ModuleDefinition",
    "PathDefinition",
    "PathDefinitionError",
    "RawModule",
    "ScaleLevel",
    "definition_extensions",
    "merge_module_data",
    "parse_path_definition",
    "register_definition_extension",
]
