"""Pre-flight tests: the PulseAudio daemon and nodes come from the shared helpers."""

from tests.helpers.node import node, node_factory  # noqa: F401
