"""What the engine reports: JUnit XML that survives raw process output, and failure reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree
from relnotes.core.environment import Environment
from relnotes.core.ledger import Layer, LayerStatus, Record, Status
from relnotes.engine.junit import write_junit
from relnotes.engine.verdict import _first

ENV = Environment("trixie", "11.3.0", "10.0.13", "kvm", "sha256:cc")


def failed(log: str, reason: str) -> Record:
    return Record(snippet="kvm/x/clock.xml", sha256="s", inputs_sha256="i", result=Status.FAILED,
                  reason=reason, layers={"effect": Layer(LayerStatus.FAILED, "cmdline")},
                  environment=ENV, verified_at=datetime(2026, 11, 25, tzinfo=UTC), duration=1.0,
                  log=log)


def test_junit_carries_logs_with_nul_bytes_and_escapes(tmp_path: Path) -> None:
    # QEMU's /proc/<pid>/cmdline is NUL-separated; a failing cmdline check logs it raw.
    log = "cmdline = 'qemu-system-x86_64\x00-rtc\x00base=utc'\x1b[0m"
    path = tmp_path / "junit.xml"
    write_junit([failed(log, "effect failed\x00")], path)
    failure = etree.parse(str(path)).find(".//failure")
    assert failure is not None
    assert failure.text == "cmdline = 'qemu-system-x86_64 -rtc base=utc'\ufffd[0m"
    assert failure.get("message") == "effect failed "
    assert [p.name for p in tmp_path.iterdir()] == ["junit.xml"]  # no temporary left behind


def test_reason_names_the_error_not_the_warning_before_it() -> None:
    detail = ("qemu-system-x86_64: warning: host doesn't support requested feature: "
              "CPUID.01H:ECX.pni [bit 0]\n"
              "qemu-system-x86_64: failed to find romfile \"/usr/share/qemu/pxe-e1000.rom\"\n")
    assert _first(detail) == 'qemu-system-x86_64: failed to find romfile "/usr/share/qemu/pxe-e1000.rom"'
    assert _first("warning: only a warning\n") == "warning: only a warning"
    assert _first("  \n") == "  \n"


def test_failures_are_declared_by_target_or_by_accelerator() -> None:
    from relnotes.core.spec import SnippetKind, Spec, declared_failure

    spec = Spec(snippet="k/clock.xml", file=Path("clock.xml"), kind=SnippetKind.XML_FRAGMENT,
                expected_failure={"tcg": "no kvmclock without KVM", "bookworm": "old QEMU"},
                failure_contains={"tcg": "kvmclock = False"}, failure_layer={"tcg": "effect"})
    assert declared_failure(spec, "trixie", "tcg") == (
        "tcg", "no kvmclock without KVM", "kvmclock = False", "effect")
    assert declared_failure(spec, "trixie", "kvm") is None
    # a target's declaration wins over its accelerator's
    assert declared_failure(spec, "bookworm", "tcg") == ("bookworm", "old QEMU", "", "")


def test_junit_shows_a_result_that_proves_nothing_as_a_failure(tmp_path: Path) -> None:
    indistinct = replace(failed("log", "x"), result=Status.INDISTINCT,
                         reason="same on the control")
    write_junit([indistinct], tmp_path / "junit.xml")
    suite = etree.parse(str(tmp_path / "junit.xml")).getroot()[0]
    assert suite.get("failures") == "1" and suite.get("skipped") == "0"
    [failure] = suite.iter("failure")
    assert failure.get("message") == "indistinct: same on the control"
