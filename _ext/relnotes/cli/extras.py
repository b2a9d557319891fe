"""The optional extras a subcommand needs: without one, the command says which to install."""

from __future__ import annotations

import importlib
from dataclasses import dataclass


class MissingExtraError(Exception):
    """A subcommand needs an extra that is not installed (the CLI exits 2 with this one line)."""


@dataclass(frozen=True)
class Extra:
    """An optional extra of the ``relnotes`` package and the modules it brings."""

    name: str
    modules: tuple[str, ...]
    what: str


#: ``relnotes verify`` (running checks) and ``relnotes container``: libvirt's binding, built
#: against the host's libvirt headers (Debian's libvirt-dev, pkg-config).
VERIFY = Extra("verify", ("libvirt",), "libvirt's Python binding")
#: ``relnotes serve``: the rebuilding preview server.
SERVE = Extra("serve", ("sphinx_autobuild",), "sphinx-autobuild")


def require(extra: Extra, command: str) -> None:
    """Raise MissingExtraError naming the extra when one of its modules cannot be imported."""
    for module in extra.modules:
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise MissingExtraError(
                f"`relnotes {command}` needs {extra.what} ({error}): install the {extra.name} "
                f"extra, pip install 'relnotes[{extra.name}]'"
            ) from None
