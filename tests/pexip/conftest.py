from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.pexip_fake import FakeTransport, ManualScheduler
from videotime_client.pexip.api import PexipApi

BASE = "https://join.example.no"


@pytest.fixture
def transport() -> Iterator[FakeTransport]:
    fake = FakeTransport()
    yield fake
    fake.close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def api(transport: FakeTransport, sleeps: list[float]) -> PexipApi:
    return PexipApi(BASE, "123456", session=transport.session(), sleep=sleeps.append)


@pytest.fixture
def scheduler() -> ManualScheduler:
    return ManualScheduler()


# The embedded node's fixtures (owner: node area): node, node_factory, node_process.
from tests.helpers.node import node, node_factory  # noqa: E402, F401
