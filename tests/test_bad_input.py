"""Every kind of bad input gets a warning at file:line, so ``-W`` fails the build."""

from __future__ import annotations

import pytest
from sphinx.application import Sphinx

from tests.sphinx_build import warning_at, warnings_of


@pytest.mark.sphinx("html", testroot="bad-fields")
def test_invalid_fields_are_reported_at_the_directive(app: Sphinx) -> None:
    app.build()
    warning_at(app, "bad-bz.md", 3, "'12ab' is not a Bugzilla number [relnotes.invalid_field]")
    warning_at(app, "missing-kind.md", 3, "missing required field(s): kind [relnotes.missing_field]")
    warning_at(app, "unknown-kind.md", 3, "'bug' is not one of: feature, enhancement, rebase")
    warning_at(app, "unknown-topic.md", 3, "unknown topic(s) 'gpu'")
    warning_at(app, "bad-id.md", 3, "'Bad_ID' is not a lowercase slug")
    # MyST rejects unknown options itself, naming the key, the allowed ones and the line.
    warning_at(app, "unknown-field.md", 7, "Unknown option key: 'severity'")
    assert len(warnings_of(app)) == 6
    # A rejected record is not half-registered.
    from relnotes.sphinxext.domain import relnotes_domain

    assert sorted(relnotes_domain(app.env).issues) == ["unknown-field"]


@pytest.mark.sphinx("html", testroot="duplicate-id")
def test_duplicate_id_names_both_files(app: Sphinx) -> None:
    app.build()
    message = warning_at(app, "second.md", 3, "duplicate issue id 'same'")
    assert message.endswith("first.md [relnotes.duplicate_id]")


@pytest.mark.sphinx("html", testroot="duplicate-id", parallel=2, freshenv=True)
def test_duplicate_id_found_across_parallel_readers(app: Sphinx) -> None:
    app.build()
    assert any("duplicate issue id 'same'" in w for w in warnings_of(app))


@pytest.mark.sphinx("html", testroot="unknown-issue")
def test_reference_to_unknown_issue(app: Sphinx) -> None:
    app.build()
    warning_at(app, "one.md", 10, "unknown issue id 'missing-issue'")
    warning_at(app, "one.md", 3, "unknown issue id 'nowhere'")  # in :see-also:


@pytest.mark.sphinx("html", testroot="unreachable")
def test_issue_page_outside_every_toctree(app: Sphinx) -> None:
    app.build()
    warning_at(app, "lost.md", 7, "issue 'lost' is not included in any toctree")


@pytest.mark.sphinx("html", testroot="basic", confoverrides={"relnotes_bugzilla_url": "https://x/{bz}"})
def test_a_setting_of_relnotes_toml_given_in_conf_is_a_config_error(
        app_params: object, make_app: object) -> None:
    from sphinx.errors import ConfigError

    args, kwargs = app_params  # type: ignore[misc]
    with pytest.raises(ConfigError, match=r"relnotes_bugzilla_url is declared in relnotes.toml"):
        make_app(*args, **kwargs)  # type: ignore[operator]


@pytest.mark.sphinx("html", testroot="basic")
def test_a_bad_relnotes_toml_is_a_config_error_at_its_line(
        app_params: object, make_app: object) -> None:
    from sphinx.errors import ConfigError

    args, kwargs = app_params  # type: ignore[misc]
    settings = kwargs["srcdir"] / "relnotes.toml"
    settings.write_text('topics = ["networking"]\nbugzilla_url = "https://x/"\n')
    with pytest.raises(ConfigError, match=r"relnotes.toml:2: bugzilla_url: must contain '\{bz\}'"):
        make_app(*args, **kwargs)  # type: ignore[operator]
