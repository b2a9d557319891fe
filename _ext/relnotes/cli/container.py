"""``relnotes container up|down|status|shell``: the libvirt daemons, by hand, for writers."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from relnotes.cli.extras import VERIFY, require
from relnotes.core.environment import ACCELERATOR_CHOICES
from relnotes.core.targets import TARGET_NAMES

# The harness needs libvirt's binding (the verify extra): it is imported when an action runs,
# so that `relnotes --help` and every other subcommand work without it.
if TYPE_CHECKING:
    from relnotes.engine.container.daemon import RunningDaemon


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``relnotes container up|down|status|shell``."""
    parser = commands.add_parser(
        "container", help="run the containerised libvirt daemons by hand",
        description="Run the containerised libvirt daemons that verify release-note snippets.",
        epilog="Exit codes: 0 done, 1 a harness error (podman missing, a build or a daemon "
               "failing), 2 usage error; shell: the command's own exit status.",
    )
    actions = parser.add_subparsers(required=True, metavar="ACTION")
    targets = ", ".join(TARGET_NAMES)

    up = actions.add_parser("up", help="start daemons in the background and print their URIs")
    up.add_argument("--target", help=f"comma-separated, from {targets} (default: the site's targets)")
    up.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds to wait for each daemon to answer (default: the harness's)",
    )
    up.add_argument("--accel", choices=ACCELERATOR_CHOICES,
                    help="KVM when /dev/kvm is usable, else TCG (default: the site's accelerator)")
    up.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild the image without podman's cache (picks up Debian updates); `down` first",
    )
    up.set_defaults(run=_reporting(_up))

    down = actions.add_parser("down", help="stop daemons and remove their sockets")
    down.add_argument("--target", help="comma-separated (default: every daemon that is up)")
    down.set_defaults(run=_reporting(_down))

    status = actions.add_parser("status", help="list daemons with their versions")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(run=_reporting(_status))

    shell = actions.add_parser("shell", help="run a command (default: bash) inside a daemon's container")
    shell.add_argument("--target", help="(default: the first of the site's targets that is up)")
    shell.add_argument(
        "command",
        nargs=argparse.REMAINDER,
        help="e.g. `virsh list --all`; `virsh` alone is its interactive shell",
    )
    shell.set_defaults(run=_reporting(_shell))


def _reporting(action: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A harness error (podman missing, a build or a daemon failing) is one line and exit 1."""

    def run(args: argparse.Namespace) -> int:
        require(VERIFY, "container")
        from relnotes.engine.container.errors import ContainerError

        try:
            return action(args)
        except ContainerError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1

    return run


def _up(args: argparse.Namespace) -> int:
    from relnotes.engine.container import state
    from relnotes.engine.container.daemon import DEFAULT_TIMEOUT, start_daemon
    from relnotes.engine.container.reaper import DETACHED, reap_orphans, remove_tree
    from relnotes.engine.container.targets import parse_target_list

    targets = parse_target_list(args.target or ",".join(args.settings.targets))
    reap_orphans()
    path = state.state_file()
    daemons = state.load(path)
    for target in targets:
        existing = daemons.get(target.name)
        if existing is not None and existing.is_alive():
            print(_describe(existing, "already up"))
            continue
        if existing is not None:
            existing.stop()
        socket_dir = state.state_dir() / target.name
        remove_tree(socket_dir)
        socket_dir.mkdir(parents=True, mode=0o700)
        try:
            daemon = start_daemon(
                target, socket_dir=socket_dir, owner=DETACHED,
                timeout=args.timeout or DEFAULT_TIMEOUT,
                accelerator=args.accel or args.settings.accelerator, rebuild=args.rebuild,
            )  # fmt: skip
        except BaseException:
            remove_tree(socket_dir)
            raise
        daemons[target.name] = daemon
        state.save(path, daemons)
        print(_describe(daemon, "up"))
    return 0


def _down(args: argparse.Namespace) -> int:
    from relnotes.engine.container import state
    from relnotes.engine.container.targets import parse_target_list

    path = state.state_file()
    daemons = state.load(path)
    names = [t.name for t in parse_target_list(args.target)] if args.target else list(daemons)
    if not names:
        print("no daemon is up")
    for name in names:
        daemon = daemons.pop(name, None)
        if daemon is None:
            print(f"{name}: not up")
            continue
        daemon.stop()
        state.save(path, daemons)
        print(f"{name}: down")
    return 0


def _status(args: argparse.Namespace) -> int:
    from relnotes.engine.container import state

    daemons = state.load(state.state_file())
    alive = {name: daemon.is_alive() for name, daemon in daemons.items()}
    others = _other_containers()
    if args.json:
        report = {
            "daemons": [
                {**daemon.to_dict(), "uri": daemon.uri, "alive": alive[name]}
                for name, daemon in sorted(daemons.items())
            ],
            "other_containers": others,
        }
        print(json.dumps(report, indent=2))
        return 0
    if not daemons:
        print("no daemon is up (start one with `relnotes container up`)")
    for name, daemon in sorted(daemons.items()):
        print(_describe(daemon, "up" if alive[name] else "DEAD: run `down` to clean up"))
    for container in others:
        print(f"{container['name']}: {container['state']}, owned by {container['owner']}")
    return 0


def _shell(args: argparse.Namespace) -> int:
    from relnotes.engine.container import state
    from relnotes.engine.container.errors import ContainerError
    from relnotes.engine.container.podman import podman_argv
    from relnotes.engine.container.targets import get_target

    daemons = state.load(state.state_file())
    if args.target:
        name = get_target(args.target).name
    else:  # the first of the site's targets that is up (the only one, usually)
        up = [target for target in args.settings.targets if target in daemons]
        name = up[0] if up else args.settings.targets[0]
    daemon = daemons.get(name)
    if daemon is None:
        raise ContainerError(
            f"no {name} daemon is up; start one with `relnotes container up --target {name}`"
        )
    daemon.ensure_alive()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    tty = ["--tty"] if sys.stdin.isatty() else []
    argv = podman_argv("exec", "--interactive", *tty, daemon.container, *(command or ["bash"]))
    os.execv(argv[0], argv)  # replaces this process: the shell gets the terminal


def _describe(daemon: RunningDaemon, status: str) -> str:
    return "\n".join(
        [
            f"{daemon.target.name}: {daemon.environment.label} [{status}]",
            f"  uri:       {daemon.uri}",
            f"  key:       {daemon.environment.key()}",
            f"  container: {daemon.container}",
            f"  image:     {daemon.environment.image_id}",
            f"  use:       export LIBVIRT_DEFAULT_URI='{daemon.uri}'",
        ]
    )


def _other_containers() -> list[dict[str, str]]:
    """Daemon containers owned by running (or dead) test sessions rather than by ``up``."""
    from relnotes.engine.container.reaper import daemon_containers

    found = []
    for container in daemon_containers():
        owner = container.owner
        if owner is None:
            continue
        alive = "alive" if owner.is_alive() else "dead"
        found.append(
            {"name": container.name, "state": container.state, "owner": f"pid {owner.pid} ({alive})"}
        )
    return found
