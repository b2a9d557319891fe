"""Base and target images: obtained once, rebuilt only when their inputs change.

A target image is tagged ``localhost/relnotes-libvirt:<target>-<digest>`` where the digest
covers every file under the target's build inputs and the base image id, so an edit to a
Containerfile or config file (or a fresh base) yields a new tag and a rebuild, and an
unchanged tree finds its image with one ``podman image inspect``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import ImageBuildError, PodmanMissingError
from .podman import ULIMITS, podman_argv, run_podman
from .reaper import TARGET_LABEL
from .targets import Target

log = logging.getLogger(__name__)

IMAGE_REPOSITORY = "localhost/relnotes-libvirt"
DIGEST_LABEL = "relnotes.context-digest"
BASE_SOURCE_LABEL = "relnotes.base-source"
REGISTRY = ("registry-1.docker.io", 443)
DEFAULT_MIRROR = "http://deb.debian.org/debian"


@dataclass(frozen=True)
class Image:
    tag: str
    id: str
    built: bool  # False when the cache already had it


def ensure_image(target: Target, *, rebuild: bool = False) -> Image:
    """Return the target's image, building it (and its base) only if missing.

    ``rebuild`` builds afresh without podman's layer cache: the digest cannot see new
    packages in Debian's archive (security updates), only changes to our own files.
    """
    with _images_lock():
        base_id = ensure_base_image(target.suite)
        digest = context_digest(target, base_id)
        tag = f"{IMAGE_REPOSITORY}:{target.name}-{digest[:16]}"
        image_id = image_id_of(tag)
        if image_id is not None and not rebuild:
            return Image(tag, image_id, built=False)
        log.info("building %s from %s (about 20 s)", tag, target.containerfile)
        _build(target, tag, digest, use_cache=not rebuild)
        image_id = image_id_of(tag)
        assert image_id is not None, f"podman build reported success but {tag} is missing"
        _remove_stale_images(target, keep=image_id)
        return Image(tag, image_id, built=True)


def context_digest(target: Target, base_id: str) -> str:
    """sha256 over the base id and every file (path, exec bit, bytes) the build can read."""
    digest = hashlib.sha256(f"base {base_id}\n".encode())
    for directory in target.build_inputs:
        if not directory.is_dir():
            continue
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            relative = path.relative_to(target.containers_dir).as_posix()
            executable = os.access(path, os.X_OK)
            digest.update(f"file {relative} {executable:d} {path.stat().st_size}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def image_id_of(reference: str) -> str | None:
    """The full image id, or None when no such image exists locally."""
    result = run_podman("image", "inspect", "--format", "{{.Id}}", reference, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def ensure_base_image(suite: str) -> str:
    """Return the id of ``localhost/debian-base:SUITE``, pulling or bootstrapping it once.

    Called by ensure_image under its lock; ``RELNOTES_BASE_SOURCE=registry|debootstrap``
    skips the registry probe.
    """
    tag = f"localhost/debian-base:{suite}"
    image_id = image_id_of(tag)
    if image_id is not None:
        return image_id
    source = os.environ.get("RELNOTES_BASE_SOURCE", "auto")
    if source == "registry" or (source == "auto" and registry_reachable()):
        pull_base_image(suite, tag)
    else:
        bootstrap_base_image(suite, tag)
    image_id = image_id_of(tag)
    assert image_id is not None, f"{tag} missing right after it was created"
    return image_id


def registry_reachable(address: tuple[str, int] = REGISTRY, timeout: float = 3.0) -> bool:
    """Whether Docker Hub answers a TCP connect within *timeout*, DNS included.

    ``socket.create_connection``'s timeout does not cover name resolution, which can hang
    on offline hosts, so the attempt runs in a daemon thread that is abandoned on timeout.
    """
    reachable = threading.Event()

    def attempt() -> None:
        try:
            with socket.create_connection(address, timeout=timeout):
                reachable.set()
        except OSError:
            pass

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout)
    return reachable.is_set()


def pull_base_image(suite: str, tag: str) -> None:
    reference = f"docker.io/library/debian:{suite}"
    log.info("pulling %s", reference)
    result = run_podman("pull", reference, check=False, timeout=900)
    if result.returncode != 0:
        raise ImageBuildError(f"podman pull {reference}", result.stdout + result.stderr)
    run_podman("tag", reference, tag)


def bootstrap_base_image(suite: str, tag: str) -> None:
    """debootstrap a minimal Debian *suite* and import it as *tag* (no registry needed)."""
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise PodmanMissingError(["debootstrap"])
    mirror = os.environ.get("RELNOTES_DEBIAN_MIRROR", DEFAULT_MIRROR)
    log.info("bootstrapping Debian %s from %s (about 40 s)", suite, mirror)
    root = Path(tempfile.mkdtemp(prefix=f"relnotes-debootstrap-{suite}-", dir="/var/tmp"))
    try:
        result = subprocess.run(
            [debootstrap, "--variant=minbase", suite, str(root), mirror],
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
        )
        if result.returncode != 0:
            raise ImageBuildError(f"debootstrap of {suite}", result.stdout + result.stderr)
        # The downloaded .debs are a third of the tree and useless once unpacked.
        for deb in (root / "var/cache/apt/archives").glob("*.deb"):
            deb.unlink()
        _import_tree(root, tag)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _import_tree(root: Path, tag: str) -> None:
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    importer = subprocess.run(
        podman_argv("import", "--change", f"LABEL {BASE_SOURCE_LABEL}=debootstrap", "-", tag),
        stdin=tar.stdout,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tar.stdout is not None
    tar.stdout.close()
    if tar.wait() != 0 or importer.returncode != 0:
        raise ImageBuildError(f"podman import of {root}", importer.stdout + importer.stderr)


def _build(target: Target, tag: str, digest: str, *, use_cache: bool) -> None:
    argv = podman_argv(
        "build",
        *ULIMITS,
        *([] if use_cache else ["--no-cache"]),
        "--pull=never",  # the base is local by construction; never reach for a registry
        "--label", f"{DIGEST_LABEL}={digest}",
        "--label", f"{TARGET_LABEL}={target.name}",
        "--tag", tag,
        "--file", str(target.containerfile),
        str(target.containers_dir),
    )  # fmt: skip
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if result.returncode != 0:
        raise ImageBuildError(f"podman build of {target.name} ({target.containerfile})", result.stdout)


def _remove_stale_images(target: Target, *, keep: str) -> None:
    """Drop this target's superseded images; one still used by a container stays."""
    listing = run_podman(
        "images", "--filter", f"label={TARGET_LABEL}={target.name}", "--format", "json"
    ).stdout
    for image in json.loads(listing or "[]"):
        if image["Id"] != keep:
            run_podman("rmi", image["Id"], check=False)


@contextmanager
def _images_lock() -> Iterator[None]:
    """Serialise image work across processes (pytest-xdist workers, a CLI beside a test run).

    One lock for all targets: flock is per open file, so nesting per-suite locks in one
    process would deadlock, and parallel builds would only compete for the mirror anyway.
    """
    path = Path(tempfile.gettempdir()) / "relnotes-images.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
