"""coturn as the only path: relay-only ICE over UDP and over TCP, and the UDP → TCP fallback.

The node's room hands out the test's coturn as its TURN server; the client gathers relay
candidates only (``use_relay_candidates_only``), so every media packet crosses coturn.  The test
call room (999999) loops our own media back, which makes "media both ways" a single-peer check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.call.conftest import invitation_for
from tests.helpers.coturn import Coturn, free_port
from tests.helpers.node import RunningNode

pytestmark = [pytest.mark.slow]


def _join(node: RunningNode, **kwargs: Any) -> Any:
    from videotime_client.cli.join import headless_join
    from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack

    return headless_join(
        invitation_for(node, "999999"),
        video_source=SyntheticVideoTrack(),
        audio_source=ToneAudioTrack(),
        duration_s=3,
        max_wait_s=30,
        **kwargs,
    )


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_relay_only_call_through_coturn(
    transport: str, coturn: Coturn, node_factory: Callable[..., RunningNode]
) -> None:
    node = node_factory({"rooms": {"999999": {"turn": coturn.turn_entries(transport)}}})
    report = _join(node, relay_only=True)
    assert report.connected, report
    assert report.extra["ice_attempt"].endswith(f"({transport})")
    assert report.video_rx_fps >= 10  # generous: a correctness check, not a benchmark
    assert report.encryption["remote_fingerprint_verified"] is True
    assert coturn.allocations() >= 1, coturn.log_text()[-2000:]


def test_dead_udp_turn_falls_back_to_tcp(
    coturn: Coturn, node_factory: Callable[..., RunningNode]
) -> None:
    dead = free_port()  # nothing listens there
    entries = [
        {"urls": [f"turn:127.0.0.1:{dead}?transport=udp"], "username": "x", "credential": "y"},
        *coturn.turn_entries("tcp"),
    ]
    node = node_factory({"rooms": {"999999": {"turn": entries}}})
    report = _join(node, relay_only=True, ice_timeout_s=4)
    assert report.connected, report
    assert report.extra["ice_attempt"].endswith("(tcp)")
    assert report.reconnects == 0


def test_relay_only_call_through_turn_over_tls(
    coturn_tls: Coturn, node_factory: Callable[..., RunningNode], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``turns:`` (TURN over TLS, what hospitals open on 443): the server's certificate is
    verified; this test's self-signed one is trusted through SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", str(coturn_tls.cert_file))
    node = node_factory({"rooms": {"999999": {"turn": coturn_tls.turn_entries("tls")}}})
    report = _join(node, relay_only=True)
    assert report.connected, report
    assert report.extra["ice_attempt"].endswith("(tls)")
    assert coturn_tls.allocations() >= 1


def test_turn_over_tls_with_an_untrusted_certificate_does_not_connect(
    coturn_tls: Coturn, node_factory: Callable[..., RunningNode]
) -> None:
    node = node_factory({"rooms": {"999999": {"turn": coturn_tls.turn_entries("tls")}}})
    report = _join(node, relay_only=True, ice_timeout_s=3, reconnect_budget_s=4)
    assert report.connected is False
    assert report.ended_reason == "network"
    assert coturn_tls.allocations() == 0


class _OfferRecorder:
    """The real conference signalling, noting the candidate types of each offer we send."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.offered: list[list[str]] = []

    def calls(self, sdp: str) -> Any:
        from videotime_client.call.ice import candidate_types

        self.offered.append(candidate_types(sdp))
        return self.inner.calls(sdp)

    def ack(self, call_uuid: str, **kwargs: Any) -> None:
        self.inner.ack(call_uuid, **kwargs)

    def disconnect_call(self, call_uuid: str) -> None:
        self.inner.disconnect_call(call_uuid)


def test_node_relay_only_room_is_honoured_with_coturn_as_the_only_path(
    coturn: Coturn, node_factory: Callable[..., RunningNode]
) -> None:
    """The NODE asks for relay-only (request_token ``use_relay_candidates_only: true``); the
    client is not told anything else, offers relay candidates only and connects through
    coturn."""
    node = node_factory(
        {"rooms": {"999999": {"relay_only": True, "turn": coturn.turn_entries("udp")}}}
    )
    seen: dict[str, Any] = {}

    def watch(call: Any) -> None:
        seen["relay_only"] = call.options.ice.relay_only
        seen["recorder"] = call.signalling = _OfferRecorder(call.signalling)

    report = _join(node, on_call=watch)  # no relay_only=: the grant decides
    assert seen["relay_only"] is True
    offered = seen["recorder"].offered
    assert offered, "no offer was sent"
    assert all(types and set(types) == {"relay"} for types in offered), offered
    assert report.connected, report
    assert report.extra["ice_attempt"].endswith("(udp)")
    assert report.encryption["remote_fingerprint_verified"] is True
    assert coturn.allocations() >= 1, coturn.log_text()[-2000:]
