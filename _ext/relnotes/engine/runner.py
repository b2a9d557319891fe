"""Running every check on every target: reuse, parallelism, the ledger and the summary."""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import libvirt

from relnotes.core.ledger import (
    LayerStatus,
    Ledger,
    Record,
    Status,
    load_ledger,
    now,
    write_ledger,
)
from relnotes.core.paths import DEFAULT_SNIPPET_SIZE_LIMIT
from relnotes.core.plan import Check, plan_checks
from relnotes.core.results import TABLE, is_green
from relnotes.core.spec import load_specs
from relnotes.engine.controls import Controls
from relnotes.engine.daemon import Daemon
from relnotes.engine.junit import write_junit
from relnotes.engine.mutants import Mutant, judge_mutants
from relnotes.engine.procedure import Outcome, Procedure
from relnotes.engine.reuse import ImageIdentity, reuse_without_daemon
from relnotes.engine.verdict import Run, check_verdict, records

LEDGER_NAME = "ledger.json"
JUNIT_NAME = "junit.xml"

DaemonFactory = Callable[[str], AbstractContextManager[Daemon]]
#: Says, without a daemon, which image and accelerator a target's daemon would use.
IdentityProbe = Callable[[str], ImageIdentity]


@dataclass
class RunResult:
    records: list[Record] = field(default_factory=list)
    reused: int = 0
    ran: int = 0
    pending: int = 0  # snippets whose spec is a stub: not run, nothing recorded
    interrupted: bool = False  # stopped early: ``records`` are the results obtained before

    def counts(self) -> Counter[Status]:
        return Counter(record.result for record in self.records)

    def summary(self) -> str:
        counts = self.counts()
        # Every state a run records, in the table's order (absent ones counted as 0).
        return ", ".join(f"{counts[row.status]} {row.status.value}" for row in TABLE
                         if row.recorded) + (
            f", {self.pending} pending (no check written yet)" if self.pending else "")

    @property
    def ok(self) -> bool:
        """No result the publish gate would refuse: every record is green."""
        return all(is_green(record.result) for record in self.records)


def new_run(ledger: Ledger) -> Run:
    """This run: numbered one past every run the ledger has seen, an id of its own, and the
    identity of this machine (its records replace this machine's earlier ones)."""
    return Run(ledger.sequence + 1, secrets.token_hex(8), machine_identity())


def machine_identity() -> str:
    """A stable name for this machine that reveals nothing of it: a digest of the system's
    machine id (of the host name where there is none)."""
    try:
        seed = Path("/etc/machine-id").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        seed = ""
    seed = seed or socket.gethostname()
    return hashlib.sha256(f"relnotes machine {seed}".encode()).hexdigest()[:16]


class TargetsFailedError(Exception):
    """Some targets could not be verified at all; the others' results are in the ledger."""

    def __init__(self, failures: dict[str, Exception], result: RunResult) -> None:
        self.failures = failures
        self.result = result  # what the other targets produced (already written)
        super().__init__("\n".join(f"target {target}: not verified: {error}"
                                   for target, error in failures.items()))


def guest_name(check: Check, target: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", check.key.lower()).strip("-")[-40:]
    return f"rn-{secrets.token_hex(3)}-{slug}"


def run_target(daemon: Daemon, checks: Sequence[Check], ledger: Ledger, *, force: bool,
               jobs: int, log: Callable[[str], None] = print,
               this_run: Run | None = None, stop: threading.Event | None = None,
               mutate: bool = True) -> RunResult:
    """Run (or reuse) every check against one daemon; checks run ``jobs`` at a time.

    Once ``stop`` is set no check starts, and a check that ends after it is no result (its
    daemon is being removed under it). Once the daemon stops answering, the checks left fail
    at once with that reason instead of each waiting out its deadline. Checks that claim the
    same path or domain name outside their own area never run side by side.
    """
    # libvirt-python prints every error to stderr by default; the checks report their own.
    libvirt.registerErrorHandler(lambda _context, _error: None, None)
    environment = daemon.environment
    target = environment.target
    result = RunResult()
    lock = threading.Lock()
    stamp = this_run or new_run(ledger)
    stop = stop if stop is not None else threading.Event()
    lost: list[str] = []  # why the daemon cannot be used any more
    claim_locks = {claim: threading.Lock() for check in checks for claim in check.claims()}

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
        if stop.is_set():
            return
        reused = earlier[check.key]
        if reused is not None:
            with lock:
                result.records.extend(reused)
                result.reused += 1
            return
        if lost:
            outcome = Outcome(check, target, now())
            outcome.record("harness", LayerStatus.FAILED, f"not run: {lost[0]}")
            produced = records(outcome, environment, stamp)
        else:
            procedure = Procedure(check, daemon, target, guest_name(check, target),
                                  controls=controls)
            with contextlib.ExitStack() as held:
                for claim in sorted(check.claims()):  # one order: no deadlock
                    held.enter_context(claim_locks[claim])
                outcome = procedure.run()
                if procedure.lost is not None:
                    lost.append(f"the daemon was lost during {check.key}: {procedure.lost}")
                produced = records(outcome, environment, stamp)
                if mutate and not stop.is_set():
                    # still holding the check's claims: its mutants write what it writes
                    produced = judge_mutants(check, produced, partial(
                        run_mutant, check=check, daemon=daemon, target=target,
                        controls=controls, lost=lost, stop=stop), jobs)
            if stop.is_set():
                return
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


def run_mutant(mutant: Mutant, *, check: Check, daemon: Daemon, target: str, controls: Controls,
               lost: list[str], stop: threading.Event) -> Status | str:
    """The check's status on ``mutant``, or why it could not be run (then nothing is known)."""
    if stop.is_set():
        return "the run stopped"
    if lost:
        return lost[0]
    procedure = Procedure(mutant.check(check), daemon, target, guest_name(check, target),
                          controls=controls)
    outcome = procedure.run()
    if procedure.lost is not None:
        lost.append(f"the daemon was lost during a mutant of {check.key}: {procedure.lost}")
        return procedure.lost
    for layer, detail in outcome.failures:
        if layer == "harness":  # the harness failed, not the mutant: it shows nothing
            return detail
    return check_verdict(outcome).status


def run(snippets_dir: Path, out: Path, targets: Iterable[str], daemon_factory: DaemonFactory,
        *, force: bool = False, jobs: int = 2, log: Callable[[str], None] = print,
        identity: IdentityProbe | None = None, stop: threading.Event | None = None,
        size_limit: int = DEFAULT_SNIPPET_SIZE_LIMIT, mutate: bool = True,
        ledger_name: str = LEDGER_NAME) -> RunResult:
    """Run every target (in parallel, one daemon each); write the ledger and JUnit atomically.

    The ledger read and written is ``out / ledger_name`` (the CLI passes the site's ledger, so
    verify, build and publish read one file); the JUnit report goes beside it.

    With ``identity``, a target whose checks can all be reused on its current image starts
    no daemon (see relnotes.engine.reuse). A target that cannot be verified at all does not
    stop the others: they are recorded, and TargetsFailedError names it afterwards.

    ``mutate=False`` runs no mutants (for the benchmark's reference only: its passed records
    show no part of a snippet to be needed; the command always runs them).

    Setting ``stop`` (the CLI does on Ctrl-C) ends the run promptly: no check starts, the
    daemons are removed at once (which ends the checks running on them), and the results
    obtained until then are written as usual; the result says it was interrupted.
    """
    specs = load_specs(snippets_dir, size_limit)
    checks = plan_checks(snippets_dir, specs)
    # libvirt-python prints every error to stderr by default, even while a daemon is being
    # started (its health probe) or removed on an interrupt; errors are reported where they
    # matter.
    libvirt.registerErrorHandler(lambda _context, _error: None, None)
    ledger_path = out / ledger_name
    ledger = load_ledger(ledger_path)
    stamp = new_run(ledger)
    total = RunResult(pending=sum(spec.pending is not None for spec in specs.values()))
    errors: list[BaseException] = []
    failures: dict[str, Exception] = {}
    lock = threading.Lock()
    stop = stop if stop is not None else threading.Event()
    active: dict[str, Daemon] = {}

    def one_target(target: str) -> None:
        try:
            if identity is not None and not force:
                reused = reuse_without_daemon(checks, ledger, target, identity(target))
                if reused is not None:
                    with lock:
                        total.records.extend(reused)
                        total.reused += len(checks)
                    return
            with daemon_factory(target) as daemon:
                with lock:
                    active[target] = daemon
                result = run_target(daemon, checks, ledger, force=force, jobs=jobs, log=log,
                                    this_run=stamp, stop=stop, mutate=mutate)
                with lock:
                    del active[target]
                    total.records.extend(result.records)
                    total.reused += result.reused
                    total.ran += result.ran
        except Exception as error:  # this target only: the others go on and are reported
            with lock:
                if not stop.is_set():  # after a stop, errors are its consequences
                    failures[target] = error
        except BaseException as error:
            with lock:
                if not stop.is_set():
                    errors.append(error)

    threads = [threading.Thread(target=one_target, args=(t,), name=f"target-{t}")
               for t in targets]
    for thread in threads:
        thread.start()
    removing: list[threading.Thread] = []
    while any(thread.is_alive() for thread in threads):
        if stop.is_set() and not removing:
            with lock:
                daemons = list(active.values())
            removing = [threading.Thread(target=_remove_quietly, args=(d,), name="stop-daemon")
                        for d in daemons] or [threading.Thread(target=lambda: None)]
            for remover in removing:
                remover.start()
        for thread in threads:
            thread.join(0.1)  # short: a signal handler runs between joins
    for remover in removing:
        remover.join()
    total.interrupted = stop.is_set()
    for record in total.records:
        ledger.add(record)
    write_ledger(ledger, ledger_path)
    write_junit(total.records, out / JUNIT_NAME)
    if errors:
        raise errors[0]
    if failures:
        raise TargetsFailedError(dict(sorted(failures.items())), total)
    return total


def _remove_quietly(daemon: Daemon) -> None:
    """Remove a daemon's container now; its owner's own cleanup runs later and finds it gone."""
    with contextlib.suppress(Exception):  # the owner's cleanup reports what is left
        daemon.stop()
