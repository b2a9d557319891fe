"""Running every check on every target: reuse, parallelism, the ledger and the summary."""

from __future__ import annotations

import re
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import libvirt

from relnotes.ledger import Environment, Ledger, Record, Status, load_ledger, write_ledger
from relnotes.verify.controls import Controls
from relnotes.verify.daemon import Daemon
from relnotes.verify.junit import write_junit
from relnotes.verify.plan import Check, plan_checks
from relnotes.verify.procedure import Procedure
from relnotes.verify.verdict import Run, records

# Results that are not a failure of the snippet, but not evidence that it works either.
NOT_SHOWN = (Status.FAILED, Status.INDISTINCT, Status.UNCONTROLLED, Status.UNCHECKED)
LEDGER_NAME = "ledger.json"
JUNIT_NAME = "junit.xml"

DaemonFactory = Callable[[str], AbstractContextManager[Daemon]]
# (image id, accelerator) a target's daemon would run with, found without starting it
EnvironmentPeek = Callable[[str], tuple[str, str]]


@dataclass
class RunResult:
    records: list[Record] = field(default_factory=list)
    reused: int = 0
    ran: int = 0

    def counts(self) -> Counter[Status]:
        return Counter(record.result for record in self.records)

    def summary(self) -> str:
        counts = self.counts()
        return ", ".join(f"{counts[status]} {status.value}" for status in (
            Status.PASSED, Status.FAILED, Status.EXPECTED_FAILURE, Status.NOT_VERIFIABLE,
            Status.INDISTINCT, Status.UNCONTROLLED, Status.UNCHECKED))

    @property
    def ok(self) -> bool:
        """No result the publish gate would refuse: failed, or ran without showing the effect."""
        counts = self.counts()
        return not any(counts[status] for status in NOT_SHOWN)


def new_run(ledger: Ledger) -> Run:
    """This run: numbered one past every run the ledger has seen, so its results replace
    earlier ones whatever the clocks say; the id tells apart runs that read the same ledger."""
    return Run(ledger.sequence + 1, secrets.token_hex(8))


def guest_name(check: Check, target: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", check.key.lower()).strip("-")[-40:]
    return f"rn-{secrets.token_hex(3)}-{slug}"


def run_target(daemon: Daemon, checks: Sequence[Check], ledger: Ledger, *, force: bool,
               jobs: int, log: Callable[[str], None] = print,
               this_run: Run | None = None) -> RunResult:
    """Run (or reuse) every check against one daemon; checks run ``jobs`` at a time."""
    # libvirt-python prints every error to stderr by default; the checks report their own.
    libvirt.registerErrorHandler(lambda _context, _error: None, None)
    environment = Environment.of(daemon.environment)
    target = environment.target
    result = RunResult()
    lock = threading.Lock()
    stamp = this_run or new_run(ledger)

    def reusable(check: Check) -> list[Record] | None:
        if force:
            return None
        inputs = check.inputs_sha256(target)
        earlier = [ledger.get(member.snippet, target) for member in check.members]
        if all(ledger.can_reuse(record, inputs, environment) for record in earlier):
            return [record for record in earlier if record is not None]
        return None

    earlier = {check.key: reusable(check) for check in checks}
    # One memo of control observations per run and daemon, planned from the checks that run.
    controls = Controls(environment.key(), [c for c in checks if earlier[c.key] is None])

    def one(check: Check) -> None:
        reused = earlier[check.key]
        if reused is not None:
            with lock:
                result.records.extend(reused)
                result.reused += 1
            return
        outcome = Procedure(check, daemon, target, guest_name(check, target),
                            controls=controls).run()
        produced = records(outcome, environment, stamp)
        with lock:
            result.records.extend(produced)
            result.ran += 1
            for record in produced:
                log(f"{target}: {record.snippet}: {record.result.value}"
                    + (f" — {record.reason.splitlines()[0]}" if record.reason else ""))

    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix=f"check-{target}") \
            as pool:
        for future in [pool.submit(one, check) for check in checks]:
            future.result()
    return result


def reuse_without_daemon(checks: Sequence[Check], ledger: Ledger, target: str,
                         image_id: str, accelerator: str) -> list[Record] | None:
    """Every check's earlier records, when all of them can stand without starting the daemon:
    same inputs, conclusive, and made with the very image and accelerator the daemon would
    run with (one image has one libvirt and one QEMU). None if any check must run."""
    found: list[Record] = []
    for check in checks:
        inputs = check.inputs_sha256(target)
        for member in check.members:
            record = ledger.get(member.snippet, target)
            if (record is None or record.result is Status.FAILED
                    or record.inputs_sha256 != inputs
                    or record.environment.image_id != image_id
                    or record.environment.accelerator != accelerator):
                return None
            found.append(record)
    return found


def run(snippets_dir: Path, out: Path, targets: Iterable[str], daemon_factory: DaemonFactory,
        *, force: bool = False, jobs: int = 2, log: Callable[[str], None] = print,
        peek: EnvironmentPeek | None = None) -> RunResult:
    """Run every target (in parallel, one daemon each); write the ledger and JUnit atomically.

    With ``peek``, a target whose every result can be reused is not started at all."""
    checks = plan_checks(snippets_dir)
    ledger_path = out / LEDGER_NAME
    ledger = load_ledger(ledger_path)
    stamp = new_run(ledger)
    total = RunResult()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one_target(target: str) -> None:
        try:
            if peek is not None and not force:
                reused = reuse_without_daemon(checks, ledger, target, *peek(target))
                if reused is not None:
                    with lock:
                        total.records.extend(reused)
                        total.reused += len(checks)
                    return
            with daemon_factory(target) as daemon:
                result = run_target(daemon, checks, ledger, force=force, jobs=jobs, log=log,
                                    this_run=stamp)
        except BaseException as error:
            with lock:
                errors.append(error)
            return
        with lock:
            total.records.extend(result.records)
            total.reused += result.reused
            total.ran += result.ran

    threads = [threading.Thread(target=one_target, args=(t,), name=f"target-{t}")
               for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for record in total.records:
        ledger.add(record)
    write_ledger(ledger, ledger_path)
    write_junit(total.records, out / JUNIT_NAME)
    if errors:
        raise errors[0]
    return total
