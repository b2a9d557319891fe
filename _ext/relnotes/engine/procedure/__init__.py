"""Running one check against a daemon: setup, the published steps, layers, effect and control."""

from __future__ import annotations

from ._check import Procedure
from ._outcome import Outcome, StepResult

__all__ = ["Outcome", "Procedure", "StepResult"]
