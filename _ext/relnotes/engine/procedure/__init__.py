"""Running one check against a daemon: setup, the published steps, layers, effect and control.

The names are re-exported lazily: importing the package loads neither libvirt's binding (an
optional extra) nor the procedure's modules until a name is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._check import Procedure
    from ._outcome import Outcome, StepResult

_HOMES = {"Procedure": "._check", "Outcome": "._outcome", "StepResult": "._outcome"}

__all__ = ["Outcome", "Procedure", "StepResult"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
