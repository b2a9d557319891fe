"""Check specs: strict validation, reference checks, and every published snippet has one."""

from __future__ import annotations

from pathlib import Path

import pytest
from relnotes.spec import (
    ApplyMode,
    SnippetKind,
    SpecError,
    load_spec,
    load_specs,
    orphan_specs,
    snippet_files,
    spec_path,
)

SNIPPETS = Path(__file__).parent.parent / "snippets"


def write(root: Path, name: str, body: str, spec: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    spec_path(path).write_text(spec)
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "_guests").mkdir()
    (tmp_path / "_guests/minimal.xml").write_text("<domain type='kvm'><name>g</name></domain>")
    return tmp_path


FRAGMENT = """\
kind = "xml-fragment"
[apply]
mode = "append"
target = "/domain/devices"

[[effects]]
probe = "pci-ids"
contains = "8086:2415"
"""


def test_a_fragment_spec_loads(root: Path) -> None:
    spec = load_spec(write(root, "kvm/x/sound.xml", "<sound model='ac97'/>", FRAGMENT), root)
    assert spec.kind is SnippetKind.XML_FRAGMENT
    assert spec.apply is not None and spec.apply.mode is ApplyMode.APPEND
    assert spec.effects[0].expect.contains == "8086:2415"
    assert spec.snippet == "kvm/x/sound.xml"


def test_unknown_top_level_key_is_named_with_its_line(root: Path) -> None:
    path = write(root, "a.sh", "true\n", 'kind = "shell"\ntimout = 5\n')
    with pytest.raises(SpecError, match=r"a\.sh\.check\.toml:2: timout: unknown key 'timout'"):
        load_spec(path, root)


def test_unknown_nested_key_is_named_by_key_path_and_line(root: Path) -> None:
    spec = FRAGMENT + 'why = "x"\nprobbe = "cpu"\n'
    path = write(root, "b.xml", "<a/>", spec)
    with pytest.raises(SpecError, match=r":10: effects\[0\]\.probbe: unknown key"):
        load_spec(path, root)


def test_unknown_key_in_second_array_table_gets_its_line(root: Path) -> None:
    spec = ('kind = "virsh"\n[[steps]]\nsnippet = "a.virsh"\n[[steps]]\naction = "start"\n'
            'exit = 1\n')
    path = write(root, "a.virsh", "virsh start GUEST\n", spec)
    with pytest.raises(SpecError, match=r":6: steps\[1\]\.exit: unknown key"):
        load_spec(path, root)


def test_wrong_type_is_reported(root: Path) -> None:
    path = write(root, "a.sh", "true\n", 'kind = "shell"\ntimeout = "soon"\n')
    with pytest.raises(SpecError, match=r":2: timeout: must be a number, not str"):
        load_spec(path, root)


def test_unknown_kind_lists_the_allowed_ones(root: Path) -> None:
    path = write(root, "a.sh", "true\n", 'kind = "bash"\n')
    with pytest.raises(SpecError, match=r"kind: 'bash' is not one of: xml-fragment"):
        load_spec(path, root)


def test_invalid_toml_reports_the_line(root: Path) -> None:
    path = write(root, "a.sh", "true\n", 'kind = "shell"\nsummary = \n')
    with pytest.raises(SpecError, match=r"a\.sh\.check\.toml:2: not valid TOML"):
        load_spec(path, root)


def test_missing_spec_is_an_error(root: Path) -> None:
    (root / "lonely.sh").write_text("true\n")
    with pytest.raises(SpecError, match=r"missing check spec for snippet lonely\.sh"):
        load_spec(root / "lonely.sh", root)


def test_fragment_needs_apply(root: Path) -> None:
    path = write(root, "a.xml", "<a/>", 'kind = "xml-fragment"\n')
    with pytest.raises(SpecError, match=r"needs an \[apply\] table"):
        load_spec(path, root)


def test_effect_needs_an_expectation(root: Path) -> None:
    spec = 'kind = "domain-xml"\n[[effects]]\nprobe = "running"\n'
    path = write(root, "d.xml", "<domain/>", spec)
    with pytest.raises(SpecError, match=r"effects\[0\]: states no expectation"):
        load_spec(path, root)


def test_unknown_probe_is_rejected(root: Path) -> None:
    spec = 'kind = "domain-xml"\n[[effects]]\nprobe = "vibes"\nequals = 1\n'
    path = write(root, "d.xml", "<domain/>", spec)
    with pytest.raises(SpecError, match=r":3: effects\[0\]\.probe: 'vibes' is not one of"):
        load_spec(path, root)


def test_setup_must_say_why(root: Path) -> None:
    spec = 'kind = "shell"\n[[setup]]\nrun = ["true"]\n'
    path = write(root, "a.sh", "true\n", spec)
    with pytest.raises(SpecError, match=r"setup\[0\]\.why: every setup command states why"):
        load_spec(path, root)


def test_step_member_has_no_procedure_keys(root: Path) -> None:
    path = write(root, "a.sh", "true\n", 'kind = "shell"\nverified_by = "b.virsh"\n'
                 '[[steps]]\naction = "start"\n')
    with pytest.raises(SpecError, match="steps: a snippet verified by another's procedure"):
        load_spec(path, root)


def test_paths_cannot_escape(root: Path) -> None:
    path = write(root, "a.sh", "true\n", 'kind = "shell"\nverified_by = "../../etc/x"\n')
    with pytest.raises(SpecError, match="must stay inside the snippets directory"):
        load_spec(path, root)


def test_a_run_step_must_point_back_at_its_procedure(root: Path) -> None:
    write(root, "p/run.virsh", "virsh start GUEST\n",
          'kind = "virsh"\n[[steps]]\nsnippet = "other.sh"\n')
    write(root, "p/other.sh", "true\n", 'kind = "shell"\n')
    with pytest.raises(SpecError, match=r"other\.sh\.check\.toml:1: verified_by: is run by"):
        load_specs(root)


def test_verified_by_must_use_the_member(root: Path) -> None:
    write(root, "p/run.virsh", "virsh start GUEST\n", 'kind = "virsh"\n')
    write(root, "p/a.sh", "true\n", 'kind = "shell"\nverified_by = "run.virsh"\n')
    with pytest.raises(SpecError, match=r"'p/run\.virsh' has no step using 'p/a\.sh'"):
        load_specs(root)


def test_underscore_directories_are_not_snippets(root: Path) -> None:
    write(root, "kvm/a.sh", "true\n", 'kind = "shell"\n')
    assert [p.name for p in snippet_files(root)] == ["a.sh"]


def test_every_published_snippet_has_a_valid_spec() -> None:
    specs = load_specs(SNIPPETS)
    assert set(specs) == {p.relative_to(SNIPPETS).as_posix() for p in snippet_files(SNIPPETS)}
    assert len(specs) >= 13


def test_no_spec_is_left_without_its_snippet() -> None:
    assert orphan_specs(SNIPPETS) == []
