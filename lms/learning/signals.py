"""Signals through which higher domains tell what a learner still lacks in a module.

``learning`` owns progress but must not import ``assessments`` (DESIGN.md §3), so it asks, and
every receiver answers with a value (Indico's "values from signal" pattern). Two signals ask the
same question at two scales:

``module_requirements``
    Sent with ``sender=module`` (a curriculum ``Module``) and ``learner=user``. Each receiver
    returns a list of human-readable strings naming what the learner still lacks in that module
    (empty when nothing): ``[value for _, value in module_requirements.send(module, learner=u)]``.

``path_requirements``
    The batch form, used for whole-path progress so that it costs one query per receiver rather
    than one per module. Sent with ``sender=path`` (a ``TrainingPath``), ``learner=user`` and
    ``modules=[...]`` (modules of that path). Each receiver returns a dict mapping a module id to
    its list of strings; modules with nothing missing may be left out. The sender merges them.

The learning domain answers for required lessons itself. Any other domain (assessments, for
required assessments) writes ONE batch function and registers it with ``connect_requirements``,
which connects it to both signals, so that the two scales can never disagree::

    @connect_requirements
    def missing_assessments(path, *, learner, modules):
        return {module.id: [...] for module in modules}

Do not send these signals yourself: ask ``lms.learning.services.missing_requirements`` (batch) or
``lms.learning.services.module_missing`` (one module), which add the lessons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from blinker import Namespace

learning_signals = Namespace()

module_requirements = learning_signals.signal(
    "module-requirements",
    doc="Ask what a learner lacks in one module; receivers return a list of strings.",
)
path_requirements = learning_signals.signal(
    "path-requirements",
    doc="Ask what a learner lacks in many modules; receivers return {module id: [strings]}.",
)

BatchReceiver = Callable[..., Mapping[int, Sequence[str]]]

# The per-module adapter made for each batch receiver, to disconnect it again.
_adapters: dict[BatchReceiver, Callable[..., list[str]]] = {}


def connect_requirements(receiver: BatchReceiver) -> BatchReceiver:
    """Connect a batch requirements receiver to both signals (usable as a decorator)."""

    def per_module(module: Any, *, learner: Any, **kwargs: Any) -> list[str]:
        answer = receiver(module.path, learner=learner, modules=[module])
        return list(answer.get(module.id, []))

    # Strong references: the adapter lives only here, a weak one would vanish at once.
    path_requirements.connect(receiver, weak=False)
    module_requirements.connect(per_module, weak=False)
    _adapters[receiver] = per_module
    return receiver


def disconnect_requirements(receiver: BatchReceiver) -> None:
    """Disconnect a receiver registered with ``connect_requirements`` from both signals."""
    path_requirements.disconnect(receiver)
    adapter = _adapters.pop(receiver, None)
    if adapter is not None:
        module_requirements.disconnect(adapter)


@contextmanager
def requirements_connected(receiver: BatchReceiver) -> Iterator[BatchReceiver]:
    """Connect a batch requirements receiver for the duration of a ``with`` block (tests)."""
    connect_requirements(receiver)
    try:
        yield receiver
    finally:
        disconnect_requirements(receiver)
