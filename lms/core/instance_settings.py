"""Writing settings into an instance's config file (``lms.cfg``) without overriding an operator.

``lms demo`` uses it to give a fresh instance the settings issuing needs; ``lms.config`` only
reads the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from flask import Flask

from lms.config import instance_config_path


def add_instance_settings(app: Flask, values: Mapping[str, str], comment: str = "") -> list[str]:
    """Write the settings the instance lacks into its config file; return the names written.

    An operator's value always wins: a setting assigned in the file (even to an empty value) or
    set by the environment is left alone. The file is where every process that serves the
    instance (``lms run``, gunicorn, a worker) reads it; this process takes the values at once.
    """
    path = instance_config_path(app)
    text = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as file:
            text = file.read()
    assigned = set(re.findall(r"^([A-Z][A-Z0-9_]*)\s*=", text, re.MULTILINE))
    added = {
        key: value
        for key, value in values.items()
        if key not in assigned and not app.config.get(key)
    }
    if added:
        lines = [f"# {comment}"] if comment else []
        lines += [f"{key} = {value!r}" for key, value in added.items()]
        separator = "\n" if text and not text.endswith("\n") else ""
        with open(path, "a", encoding="utf-8") as file:
            file.write(separator + "\n".join(lines) + "\n")
        app.config.update(added)
    return list(added)
