"""Environment: the record of what a verification ran against."""

from __future__ import annotations

import json

import pytest
from relnotes.core.environment import Environment, version_string

IMAGE_ID = "4f" * 32


def make(**overrides: str) -> Environment:
    values = {
        "target": "bookworm",
        "libvirt_version": "9.0.0",
        "qemu_version": "7.2.0",
        "accelerator": "kvm",
        "image_id": IMAGE_ID,
    }
    values.update(overrides)
    return Environment(**values)  # type: ignore[arg-type]


def test_label_and_key() -> None:
    environment = make()
    assert environment.label == "libvirt 9.0.0 / QEMU 7.2.0 (KVM)"
    assert environment.key() == "bookworm:libvirt-9.0.0:qemu-7.2.0:kvm"
    assert make(accelerator="tcg").label.endswith("(TCG)")


def test_domain_type_follows_the_accelerator() -> None:
    assert make().domain_type == "kvm"
    assert make(accelerator="tcg").domain_type == "qemu"


def test_json_round_trip() -> None:
    environment = make(accelerator="tcg", qemu_version="10.0.13")
    assert Environment.from_json(environment.to_json()) == environment
    assert json.loads(environment.to_json())["qemu_version"] == "10.0.13"


@pytest.mark.parametrize("packed", [(9_000_000, "9.0.0"), (7_002_022, "7.2.22"), (11_003_000, "11.3.0")])
def test_version_string_unpacks_libvirt_numbers(packed: tuple[int, str]) -> None:
    assert version_string(packed[0]) == packed[1]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("image_id"), "keys must be exactly"),
        (lambda d: d.update(extra="x"), "keys must be exactly"),
        (lambda d: d.update(libvirt_version="9.0"), "libvirt_version must look like"),
        (lambda d: d.update(qemu_version=7), "qemu_version must look like"),
        (lambda d: d.update(accelerator="hvf"), "accelerator must be one of"),
        (lambda d: d.update(image_id="abc"), "image_id must be a full"),
        (lambda d: d.update(target=""), "target must be"),
    ],
)
def test_from_json_rejects_malformed_records(mutate: object, message: str) -> None:
    data = make().to_dict()
    mutate(data)  # type: ignore[operator]
    with pytest.raises(ValueError, match=message):
        Environment.from_json(json.dumps(data))


def test_from_json_rejects_non_objects() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        Environment.from_json("[1, 2]")
