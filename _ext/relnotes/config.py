"""Every ``relnotes_*`` configuration option, declared once and validated on config-inited."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

PREFIX = "relnotes_"


@dataclass(frozen=True)
class RelnotesConfig:
    """The options, with defaults; each field's ``help`` metadata documents it."""

    bugzilla_url: str = field(
        default="https://bugzilla.redhat.com/show_bug.cgi?id={bz}",
        metadata={"help": "URL template of a vendor Bugzilla entry; {bz} is the number."},
    )
    topics: tuple[str, ...] = field(
        default=(),
        metadata={"help": "The topic vocabulary; an issue naming another topic is an error."},
    )
    components: dict[str, str] = field(
        default_factory=dict,
        metadata={"help": "Component name -> docname of its landing page."},
    )
    snippets_dir: str = field(
        default="snippets",
        metadata={"help": "Directory of snippet files, relative to the configuration directory."},
    )
    ledger: str = field(
        default="_build/verification/ledger.json",
        metadata={"help": "Verification ledger, relative to the configuration directory."},
    )
    targets: tuple[str, ...] = field(
        default=("bookworm", "trixie"),
        metadata={"help": "Verification environments every snippet is badged for."},
    )
    require_verified: bool = field(
        default=False,
        metadata={"help": "Publish gate: warn (so -W fails) on any snippet not verified."},
    )
    navigation_depth: int = field(
        default=1,
        metadata={"help": "Deepest toctree level the theme's navigation may render."},
    )
    languages: tuple[str, ...] = field(
        default=("en",),
        metadata={"help": "Languages of the site; the first at its root, each other under <language>/."},
    )
    related_limit: int = field(
        default=5,
        metadata={"help": "How many related issues (shared topics) an issue page lists."},
    )


def setup_config(app: Sphinx) -> None:
    for option in fields(RelnotesConfig):
        default: Any = (
            option.default
            if option.default_factory is dataclasses.MISSING
            else option.default_factory()
        )
        # conf.py writers use lists where the defaults are tuples; both are fine.
        types = (list, tuple) if isinstance(default, tuple) else ()
        app.add_config_value(
            PREFIX + option.name,
            default,
            "env",
            types=types,
            description=option.metadata["help"],
        )
    # Validate before anything reads the options, so errors name the option.
    app.connect("config-inited", _validate, priority=100)


def relnotes_config(config: Config) -> RelnotesConfig:
    """The one accessor: the typed, validated view of the options."""
    values: dict[str, Any] = {opt.name: getattr(config, PREFIX + opt.name) for opt in fields(RelnotesConfig)}
    values["topics"] = tuple(values["topics"])
    values["targets"] = tuple(values["targets"])
    values["languages"] = tuple(values["languages"])
    return RelnotesConfig(**values)


def _validate(app: Sphinx, config: Config) -> None:
    # Paths are given relative to conf.py; make them absolute once, here.
    for name in ("snippets_dir", "ledger"):
        value = Path(app.confdir, getattr(config, PREFIX + name))
        setattr(config, PREFIX + name, str(value))
    options = relnotes_config(config)
    if "{bz}" not in options.bugzilla_url:
        raise ConfigError(f"{PREFIX}bugzilla_url must contain '{{bz}}': {options.bugzilla_url!r}")
    if any(not isinstance(topic, str) or not topic for topic in options.topics):
        raise ConfigError(f"{PREFIX}topics must be a list of non-empty strings")
    if options.navigation_depth < 1:
        raise ConfigError(f"{PREFIX}navigation_depth must be at least 1")
    if not options.languages or any(not isinstance(lang, str) or not lang for lang in options.languages):
        raise ConfigError(f"{PREFIX}languages must be a non-empty list of language codes")
    if options.related_limit < 0:
        raise ConfigError(f"{PREFIX}related_limit must not be negative")
