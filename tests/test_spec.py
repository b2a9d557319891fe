"""Check specs: strict validation, reference checks, and every published snippet has one."""

from __future__ import annotations

from pathlib import Path

import pytest
from relnotes.core.spec import (
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
control = { lacks = "8086:2415" }
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
    with pytest.raises(SpecError, match=r":11: effects\[0\]\.probbe: unknown key"):
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
    spec = 'kind = "domain-xml"\n[[effects]]\nprobe = "vnc-auth"\n'
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


def test_a_failure_declared_for_an_unknown_target_is_an_error_at_its_line(root: Path) -> None:
    spec = 'kind = "shell"\n\n[expected_failure]\nbullseye = "old"\nbusterr = "typo"\n'
    path = write(root, "c.sh", "true\n", spec)
    with pytest.raises(SpecError, match=r"c\.sh\.check\.toml:5: expected_failure\.busterr: "
                       r"unknown key 'busterr' \(allowed: a target or an accelerator: "
                       r"bullseye, bookworm, "):
        load_spec(path, root)


def test_a_failure_text_for_an_unknown_environment_is_an_error_at_its_line(root: Path) -> None:
    spec = 'kind = "shell"\n[expected_failure]\ntcg = "slow"\n[failure_contains]\narm = "x"\n'
    path = write(root, "d.sh", "true\n", spec)
    with pytest.raises(SpecError, match=r"d\.sh\.check\.toml:5: failure_contains\.arm: "
                       "unknown key 'arm'"):
        load_spec(path, root)


def test_a_failure_text_without_its_declared_failure_is_an_error(root: Path) -> None:
    spec = ('kind = "shell"\n[expected_failure]\ntcg = "slow"\n[failure_contains]\ntcg = "slow"\n'
            'trixie = "x"\n')
    path = write(root, "e.sh", "true\n", spec)
    with pytest.raises(SpecError, match=r"e\.sh\.check\.toml:6: failure_contains\.trixie: "
                       r"has no \[expected_failure\] trixie"):
        load_spec(path, root)


@pytest.mark.parametrize(("tail", "message"), [
    ('[expected_failure]\ntcg = "why"\n[failure_contains]\ntcg = "x"\n',
     r":3: expected_failure\.tcg: needs \[failure_layer\] tcg: the layer the failure happens in "
     r"\(setup, schema, semantic, run, effect\)"),
    ('[expected_failure]\ntcg = "why"\n[failure_contains]\ntcg = "x"\n[failure_layer]\n'
     'tcg = "harness"\n',
     r":7: failure_layer\.tcg: 'harness' is not a layer a failure can be declared in"),
    ('[expected_failure]\ntcg = "why"\n[failure_contains]\ntcg = "x"\n[failure_layer]\n'
     'tcg = "run"\nkvm = "run"\n',
     r":8: failure_layer\.kvm: has no \[expected_failure\] kvm"),
])
def test_a_declared_failure_names_the_layer_it_expects(root: Path, tail: str,
                                                       message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load_spec(write(root, "a.sh", "true\n", 'kind = "shell"\n' + tail), root)


def test_failures_may_be_declared_for_every_declared_target_and_accelerator(root: Path) -> None:
    from relnotes.core.targets import TARGET_NAMES as TARGETS

    lines = [f'"{name}" = "reason"' for name in (*TARGETS, "kvm", "tcg")]
    layers = [f'"{name}" = "run"' for name in (*TARGETS, "kvm", "tcg")]
    spec = ('kind = "shell"\n[expected_failure]\n' + "\n".join(lines) + "\n"
            "[failure_contains]\n" + "\n".join(lines) + "\n"
            "[failure_layer]\n" + "\n".join(layers) + "\n")
    loaded = load_spec(write(root, "f.sh", "true\n", spec), root)
    assert set(loaded.expected_failure) == {*TARGETS, "kvm", "tcg"}


@pytest.mark.parametrize(("tail", "message"), [
    ('contains = []\ncontrol = { lacks = "x" }\n',
     r":8: effects\[0\]\.contains: is an empty list, which every value meets"),
    ('contains = "x"\nlacks = []\ncontrol = { lacks = "x" }\n',
     r":9: effects\[0\]\.lacks: is an empty list"),
    ('equals = []\ncontrol = { lacks = "x" }\n', r"effects\[0\]\.equals: is an empty list"),
    ('contains = "x"\ncontrol = {}\n',
     r":9: effects\[0\]\.control: is empty: state what the guest shows"),
    ('contains = "x"\ncontrol = { contains = [] }\n',
     r"effects\[0\]\.control\.contains: is an empty list"),
    ('contains = "x"\n', r":6: effects\[0\]: states no control"),
    ('contains = "x"\ncontrol = "none"\n', r'effects\[0\]\.control: control = "none" needs '
     "control_reason"),
    ('contains = "x"\ncontrol = { lacks = "x", typo = 1 }\n',
     r"effects\[0\]\.control\.typo: unknown key 'typo'"),
])
def test_vacuous_effects_are_rejected_with_line_and_key_path(root: Path, tail: str,
                                                              message: str) -> None:
    spec = FRAGMENT.split("contains =")[0] + tail
    with pytest.raises(SpecError, match=message):
        load_spec(write(root, "kvm/x/sound.xml", "<sound/>", spec), root)


@pytest.mark.parametrize(("tail", "message"), [
    ('[expected_failure]\nbookworm = "why"\n',
     r"expected_failure\.bookworm: needs \[failure_contains\] bookworm"),
    ('[expected_failure]\nbokworm = "why"\n[failure_contains]\nbokworm = "x"\n',
     r":3: expected_failure\.bokworm: unknown key 'bokworm' \(allowed: a target or an "
     r"accelerator: bullseye, bookworm, trixie.*kvm, tcg\)"),
    ('[failure_contains]\ntcg = "x"\n', r"failure_contains\.tcg: has no \[expected_failure\] tcg"),
    ('[expected_failure]\ntcg = "why"\n[failure_contains]\ntcg = ""\n',
     r"failure_contains\.tcg: must not be empty"),
])
def test_a_declared_failure_names_a_known_environment_and_its_text(root: Path, tail: str,
                                                                   message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load_spec(write(root, "a.sh", "true\n", 'kind = "shell"\n' + tail), root)


def test_a_spec_that_still_names_a_control_guest_is_refused_with_the_fix(root: Path) -> None:
    spec = FRAGMENT + 'control_guest = "_guests/minimal.xml"\n'
    path = write(root, "kvm/x/sound.xml", "<sound/>", spec.replace("[apply]", "[apply]", 1))
    spec_path(path).write_text('control_guest = "_guests/minimal.xml"\n' + FRAGMENT)
    with pytest.raises(SpecError, match=r"sound\.xml\.check\.toml:1: control_guest: a control "
                       r"guest is no longer stated: the engine's control is the same base guest, "
                       r"in the same run, without the snippet\. Remove control_guest"):
        load_spec(path, root)


def test_an_identity_probe_compared_with_a_control_is_refused(root: Path) -> None:
    spec = FRAGMENT.split("[[effects]]")[0] + (
        '[[effects]]\nprobe = "distinct-identity"\nguest = "new-guest"\nequals = ["mac", "uuid"]\n'
        'control = { lacks = "mac" }\n')
    with pytest.raises(SpecError, match=r":10: effects\[0\]\.control: 'distinct-identity' "
                       r"depends on the guest's identity.*use control = \"none\""):
        load_spec(write(root, "kvm/x/sound.xml", "<sound/>", spec), root)


SYMPTOM = FRAGMENT + '\n[symptom]\nprobe = "pci-ids"\ncontains = "8086:2415"\n'


def test_a_symptom_loads_with_its_probe_and_problem(root: Path) -> None:
    spec = load_spec(write(root, "kvm/x/sound.xml", "<sound/>", SYMPTOM), root)
    assert spec.symptom is not None and spec.symptom.probe == "pci-ids"
    assert spec.symptom.problem.contains == "8086:2415"


@pytest.mark.parametrize(("tail", "message"), [
    ('\n[symptom]\nprobe = "nic-model"\ncontains = "x"\n',
     r":12: symptom\.probe: 'nic-model' is not a probe; use one of: block-formats, cmdline"),
    ('\n[symptom]\nprobe = "distinct-identity"\nequals = []\n',
     r":12: symptom\.probe: 'distinct-identity' cannot show the issue's problem"),
    ('\n[symptom]\nprobe = "pci-ids"\nwhy = "x"\n',
     r":11: symptom: states no problem"),
])
def test_a_bad_symptom_is_refused_at_its_line(root: Path, tail: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load_spec(write(root, "kvm/x/sound.xml", "<sound/>", FRAGMENT + tail), root)


def test_an_equivalent_mutant_without_a_reason_is_refused(root: Path) -> None:
    spec = FRAGMENT + '\n[[equivalent]]\nmutant = "without @model"\n'
    with pytest.raises(SpecError, match=r":12: equivalent\[0\]\.mutant: an equivalent mutant "
                       r"needs reason"):
        load_spec(write(root, "kvm/x/sound.xml", "<sound/>", spec), root)


def test_a_probe_the_harness_decides_is_refused_on_the_checks_own_guest(root: Path) -> None:
    spec = FRAGMENT.split("[[effects]]")[0] + (
        '[[effects]]\nprobe = "running"\nequals = true\ncontrol = "none"\n'
        'control_reason = "x"\n')
    with pytest.raises(SpecError, match=r":7: effects\[0\]\.probe: 'running' on the check's "
                       "own guest cannot fail"):
        load_spec(write(root, "kvm/x/sound.xml", "<sound/>", spec), root)
    on_new_guest = spec.replace('probe = "running"\n', 'probe = "running"\nguest = "new-guest"\n')
    assert load_spec(write(root, "kvm/x/sound.xml", "<sound/>", on_new_guest), root).effects


def test_loading_specs_does_not_load_the_container_harness() -> None:
    import subprocess
    import sys

    code = ("import sys, pathlib; from relnotes.core.spec import load_specs; "
            f"load_specs(pathlib.Path({str(SNIPPETS)!r})); "
            "print('libvirt' in sys.modules, 'relnotes.engine.container' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "False"]


def test_a_step_stated_to_fail_states_its_text(root: Path) -> None:
    spec = 'kind = "shell"\n[[steps]]\nsnippet = "a.sh"\nexit_status = 2\n'
    with pytest.raises(SpecError, match=r":4: steps\[0\]\.exit_status: a step stated to fail "
                       "needs output_contains"):
        load_spec(write(root, "a.sh", "exit 2\n", spec), root)
    spec = 'kind = "shell"\n[[steps]]\nsnippet = "a.sh"\noutput_contains = "x"\n'
    with pytest.raises(SpecError, match=r":4: steps\[0\]\.output_contains: only with a non-zero"):
        load_spec(write(root, "a.sh", "exit 2\n", spec), root)
