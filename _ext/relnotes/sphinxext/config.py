"""The extension's view of the settings: ``relnotes.toml`` plus the build-only options.

The site's facts (snippets folder, ledger, targets, Bugzilla URL, topics, components) are
declared once, in ``relnotes.toml`` (:mod:`relnotes.core.settings`), because the ``relnotes``
command and the pytest plugin read them too. They are mirrored into ``relnotes_*`` config values
on config-inited, so Sphinx sees a change and rebuilds, but conf.py may not set them. Options
that only a build has (the publish gate, navigation depth, related issues) are declared here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from relnotes.core.paths import DEFAULT_SNIPPET_SIZE_LIMIT
from relnotes.core.settings import Settings, SettingsError, load_settings

PREFIX = "relnotes_"


@dataclass(frozen=True)
class RelnotesConfig:
    """The options, with defaults; each field's ``help`` metadata documents it."""

    bugzilla_url: str = field(
        default="https://bugzilla.redhat.com/show_bug.cgi?id={bz}",
        metadata={"help": "From relnotes.toml: URL template of a Bugzilla entry."},
    )
    jira_url: str = field(
        default="https://issues.redhat.com/browse/{key}",
        metadata={"help": "From relnotes.toml ([jira] url): URL template of a Jira ticket."},
    )
    topics: tuple[str, ...] = field(
        default=(),
        metadata={"help": "From relnotes.toml: the topic vocabulary."},
    )
    components: dict[str, str] = field(
        default_factory=dict,
        metadata={"help": "From relnotes.toml: component -> docname of its page."},
    )
    snippets_dir: str = field(
        default="snippets",
        metadata={"help": "From relnotes.toml: the snippets folder (absolute)."},
    )
    snippet_size_limit: int = field(
        default=DEFAULT_SNIPPET_SIZE_LIMIT,
        metadata={"help": "From relnotes.toml: the largest snippet file shown, in bytes."},
    )
    ledger: str = field(
        default="_build/verification/ledger.json",
        metadata={"help": "From relnotes.toml: the verification ledger (absolute)."},
    )
    targets: tuple[str, ...] = field(
        default=("bookworm", "trixie"),
        metadata={"help": "From relnotes.toml: the targets every snippet is badged for."},
    )
    releases: tuple[str, ...] = field(
        default=(),
        metadata={"help": "From relnotes.toml: the product's releases, oldest first."},
    )
    require_verified: bool = field(
        default=False,
        metadata={"help": "Publish gate: refuse the build if any shown snippet is not verified."},
    )
    navigation_depth: int = field(
        default=1,
        metadata={"help": "Deepest toctree level the theme's navigation may render."},
    )
    languages: tuple[str, ...] = field(
        default=("en",),
        metadata={"help": "From relnotes.toml: the site's languages, the first at the root."},
    )
    release_pages: bool = field(
        default=True,
        metadata={"help": "Write a page per release (releases/<release>.html) and the release "
                          "index."},
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
    values["releases"] = tuple(values["releases"])
    return RelnotesConfig(**values)


#: Options that come from relnotes.toml; conf.py and -D may not set them.
FROM_SETTINGS = ("bugzilla_url", "jira_url", "topics", "components", "snippets_dir", "ledger", "targets",
                 "snippet_size_limit", "languages", "releases")


def site_settings(app: Sphinx) -> Settings:
    """The site's ``relnotes.toml``, read once per build."""
    settings: Settings | None = getattr(app, "_relnotes_settings", None)
    if settings is None:
        try:
            settings = load_settings(Path(app.confdir))
        except SettingsError as error:
            raise ConfigError(str(error)) from None
        app._relnotes_settings = settings  # type: ignore[attr-defined]
    return settings


def _validate(app: Sphinx, config: Config) -> None:
    for name in FROM_SETTINGS:
        if PREFIX + name in config._raw_config or PREFIX + name in config._overrides:
            raise ConfigError(f"{PREFIX}{name} is declared in relnotes.toml ({name} = ...), "
                              "not in conf.py: the relnotes command reads it there too")
    settings = site_settings(app)
    mirrored: dict[str, Any] = {
        "bugzilla_url": settings.bugzilla_url, "jira_url": settings.jira_url,
        "topics": settings.topics,
        "components": settings.components, "snippets_dir": str(settings.snippets_dir),
        "ledger": str(settings.ledger), "targets": settings.targets,
        "snippet_size_limit": settings.snippet_size_limit, "languages": settings.languages,
        "releases": settings.releases,
    }
    for name, value in mirrored.items():
        setattr(config, PREFIX + name, value)
    options = relnotes_config(config)
    if options.navigation_depth < 1:
        raise ConfigError(f"{PREFIX}navigation_depth must be at least 1")
    if options.related_limit < 0:
        raise ConfigError(f"{PREFIX}related_limit must not be negative")
