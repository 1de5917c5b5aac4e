"""One method per Pexip client REST API v2 endpoint a guest uses (reference §1–§4, §7).

Stateless apart from the injected :class:`requests.Session` (the transport: tests mount an
in-memory adapter on it, integration tests a recording one): every call takes the current token,
so one :class:`PexipApi` can be shared by threads while :class:`~.session.ConferenceSession`
owns the token.

Rules from the reference, each enforced here:

* HTTPS with certificate verification always; plain http only for loopback dev nodes.
* The PIN only ever travels in the ``pin`` header of ``request_token``; the token only in the
  ``token`` header (never in a URL, so it cannot end up in a proxy log).
* Branch on the HTTP status and the *type* of ``result``; never on ``status``.
* Generous timeouts on signalling (60 s for ``request_token``/``calls``, a very long read timeout
  for ``ack``); retries (502/504/network, backoff ``n * 0.5 s``) only on calls that are safe to
  repeat, never on ``request_token``, ``calls`` or ``message``.
* Nothing personal is logged: only endpoint names and HTTP statuses.
* The conference-level ``disconnect`` (the host's "disconnect everyone") does not exist here.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import requests

from videotime_client.pexip.errors import (
    CallRejected,
    ConferenceNotFound,
    InvalidToken,
    Maintenance,
    NodeUnavailable,
    NotAllowed,
    PexipError,
    PinRequired,
    ProtocolError,
    UntrustedCertificate,
    error_for_reason,
)
from videotime_client.texts import Text

log = logging.getLogger(__name__)

API_PATH = "/api/client/v2"
USER_AGENT = "Videotime/0.1 (Pexip guest client)"
# Timeouts: (connect, read) seconds. Pexip's own clients allowed 60 s for request_token and calls;
# Android turns the read timeout off for ack (it can block until media is set up).
SIGNALLING_TIMEOUT = (10.0, 60.0)
ACK_TIMEOUT = (10.0, 600.0)
DEFAULT_TIMEOUT = (10.0, 30.0)
RETRY_STATUSES = frozenset({502, 504})
LEAVE_REASON = "User initiated disconnect"


class InsecureNodeUrl(PexipError):
    code = "pexip.insecure_url"
    message = Text(
        nb="Lenken til timen er ikke sikker (mangler https). Bruk lenken fra sykehuset.",
        nn="Lenkja til timen er ikkje sikker (manglar https). Bruk lenkja frå sjukehuset.",
        en="The appointment link is not secure (no https). Use the link from the hospital.",
    )


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def api_root(base_url: str) -> str:
    """``https://node`` or ``https://node/api/client/v2`` → ``https://node/api/client/v2``.

    Refuses plain http except on loopback (the embedded node during development and tests).
    """
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InsecureNodeUrl("not an https URL")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InsecureNodeUrl("plain http to a non-loopback host")
    path = parts.path.rstrip("/")
    if not path.endswith(API_PATH):
        path += API_PATH
    return f"{parts.scheme}://{parts.netloc}{path}"


@dataclass(frozen=True, slots=True)
class IceServer:
    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = None

    def __repr__(self) -> str:  # credentials never reach a log through repr()
        return f"IceServer(urls={self.urls!r}, username={'***' if self.username else None})"


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """The useful part of a 200 ``request_token`` answer (reference §2.2)."""

    token: str = field(repr=False)
    expires: int
    participant_uuid: str
    role: str
    current_service_type: str
    version_id: int | None
    direct_media: bool
    trickle_ice_enabled: bool
    chat_enabled: bool
    call_type: str | None
    ice_servers: tuple[IceServer, ...]
    use_relay_candidates_only: bool
    pex_datachannel_id: int | None
    client_stats_update_interval_ms: float | None
    service_type: str | None
    conference_name: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class RefreshedToken:
    token: str = field(repr=False)
    expires: int
    role: str | None


@dataclass(frozen=True, slots=True)
class CallAnswer:
    """The ``calls`` answer. In direct media ``sdp`` may be empty and ``offer_ignored`` true."""

    call_uuid: str
    sdp: str = field(repr=False)
    offer_ignored: bool
    extra_ice_servers: tuple[IceServer, ...]


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    result: Any  # parsed ``result`` of a JSON envelope, or the text of a plain-text body
    is_json: bool

    @property
    def reason(self) -> str | None:
        """The node's reason string: only from a JSON envelope, never from a text body (which
        may be a proxy's HTML page, or an SDP parser's message quoting our offer)."""
        return self.result if self.is_json and isinstance(self.result, str) else None


def parse_expires(value: object, default: int = 120) -> int:
    """``expires`` is a string of seconds (``"120"``); tolerate numbers and junk."""
    try:
        seconds = int(float(str(value)))
    except (TypeError, ValueError, OverflowError):  # None, junk, "nan", "inf"/"1e400"
        return default
    return seconds if seconds > 0 else default


def parse_ice_servers(stun: object, turn: object) -> tuple[IceServer, ...]:
    """``stun: [{"url": ...}]`` (singular ``url``) and ``turn: [{"urls": [...], ...}]``."""
    servers: list[IceServer] = []
    for item in [
        *(stun if isinstance(stun, list) else []),
        *(turn if isinstance(turn, list) else []),
    ]:
        if not isinstance(item, dict):
            continue
        raw = item.get("urls", item.get("url"))
        urls = tuple(
            u for u in ([raw] if isinstance(raw, str) else raw or []) if isinstance(u, str)
        )
        if urls:
            user, cred = item.get("username"), item.get("credential")
            servers.append(
                IceServer(
                    urls,
                    user if isinstance(user, str) else None,
                    cred if isinstance(cred, str) else None,
                )
            )
    return tuple(servers)


def _version_id(result: Mapping[str, Any]) -> int | None:
    version = result.get("version")
    raw = version.get("version_id") if isinstance(version, dict) else None
    try:
        return int(float(str(raw))) if raw is not None else None
    except (ValueError, OverflowError):
        return None


class PexipApi:
    """The guest's REST calls against one conference alias on one node."""

    def __init__(
        self,
        base_url: str,
        alias: str,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 6,
        backoff: float = 0.5,
    ) -> None:
        self.root = api_root(base_url)
        self.alias = alias
        self.conference_url = f"{self.root}/conferences/{quote(alias, safe='')}"
        self.session = session if session is not None else requests.Session()
        if self.session.verify is False:
            # Certificate checks are not optional: a CA bundle path is fine, off is not.
            raise ValueError("TLS certificate verification must stay on")
        # Every request passes the session's ``verify`` explicitly: requests otherwise lets
        # REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE from the environment override a session CA bundle.
        self._sleep = sleep
        self._max_attempts = max(1, max_attempts)
        self._backoff = backoff

    @classmethod
    def from_conference_url(cls, conference_url: str, **kwargs: Any) -> PexipApi:
        """From ``https://node/api/client/v2/conferences/<alias>`` (``Invitation.api_base``)."""
        head, sep, tail = conference_url.rstrip("/").rpartition("/conferences/")
        if not sep or not tail or "/" in tail or not head.endswith(API_PATH):
            raise ProtocolError("not a conference API URL")
        return cls(head, unquote(tail), **kwargs)

    # ------------------------------------------------------------------ plumbing

    def _send(
        self,
        method: str,
        url: str,
        endpoint: str,
        *,
        token: str | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: bool = False,
    ) -> Reply:
        all_headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if token is not None:
            all_headers["token"] = token
        if headers:
            all_headers.update(headers)
        data: bytes | None = None
        if body is not None:
            all_headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        attempts = self._max_attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                response = self.session.request(
                    method,
                    url,
                    data=data,
                    headers=all_headers,
                    timeout=timeout,
                    verify=self.session.verify,
                )
            except requests.exceptions.SSLError:
                # A certificate problem is never retried and never bypassed.
                log.info("pexip %s: TLS certificate not trusted", endpoint)
                raise UntrustedCertificate() from None
            except requests.RequestException as exc:
                log.info(
                    "pexip %s: network error (%s), attempt %d",
                    endpoint,
                    type(exc).__name__,
                    attempt,
                )
                if attempt < attempts:
                    self._sleep(attempt * self._backoff)
                    continue
                raise NodeUnavailable(http_status=None) from None
            log.debug("pexip %s: HTTP %d", endpoint, response.status_code)
            if response.status_code in RETRY_STATUSES and attempt < attempts:
                log.info("pexip %s: HTTP %d, retrying", endpoint, response.status_code)
                response.close()
                self._sleep(attempt * self._backoff)
                continue
            return self._reply(response)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _reply(response: requests.Response) -> Reply:
        text = response.text
        try:
            parsed = json.loads(text) if text.strip() else None
        except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
            return Reply(response.status_code, text, is_json=False)
        if isinstance(parsed, dict) and "result" in parsed:
            return Reply(response.status_code, parsed["result"], is_json=True)
        return Reply(response.status_code, parsed if parsed is not None else text, is_json=False)

    @staticmethod
    def _fail(reply: Reply, *, endpoint: str) -> PexipError:
        """The typed error for a non-200 reply of a token-authenticated call."""
        reason = reply.reason
        status = reply.status
        on_call = endpoint in ("calls", "ack", "disconnect_call")
        if status == 403:
            return error_for_reason(reason, http_status=403, default=NotAllowed)
        if status == 404:
            # "Neither conference nor gateway found" still maps to ConferenceNotFound.
            return error_for_reason(
                reason, http_status=404, default=CallRejected if on_call else ProtocolError
            )
        if status == 503:
            return error_for_reason(reason, http_status=503, default=NodeUnavailable)
        if status in (502, 504, 520, 529):
            return error_for_reason(reason, http_status=status, default=NodeUnavailable)
        if on_call and status in (400, 415, 500):
            return CallRejected(http_status=status)
        return ProtocolError(reason, http_status=status)

    def _expect_ok(self, reply: Reply, endpoint: str) -> Any:
        if reply.status != 200:
            raise self._fail(reply, endpoint=endpoint)
        return reply.result

    def _participant_url(self, participant_uuid: str) -> str:
        return f"{self.conference_url}/participants/{quote(participant_uuid, safe='')}"

    def _call_url(self, participant_uuid: str, call_uuid: str) -> str:
        return f"{self._participant_url(participant_uuid)}/calls/{quote(call_uuid, safe='')}"

    # ------------------------------------------------------------------ node

    def status(self) -> None:
        """``GET /api/client/v2/status``: returns when the node is up."""
        reply = self._send("GET", f"{self.root}/status", "status", retry=True)
        if reply.status == 200:
            return
        if reply.status == 503:
            raise Maintenance(http_status=503)
        if reply.status == 404:
            raise ProtocolError("not a Pexip node", http_status=404)
        raise self._fail(reply, endpoint="status")

    # ------------------------------------------------------------------ token

    def request_token(
        self,
        display_name: str,
        pin: str | None = None,
        *,
        direct_media: bool = False,
        call_tag: str | None = None,
    ) -> TokenGrant:
        """Join as a guest, with Pexip's PIN flow (reference §2.3a).

        First try without a PIN. On 403 ``{"guest_pin": "none"}`` repeat with ``pin: none``
        (join as guest without PIN, even if we know a PIN: a PIN here could only be the host
        PIN, and a patient must not become host). On ``{"guest_pin": "required"}`` repeat with
        ``pin`` when we have one, else raise :class:`PinRequired` so the UI can ask for it.
        Never retried automatically: every attempt may count as a PIN try.
        """
        body: dict[str, Any] = {"display_name": display_name, "direct_media": direct_media}
        if call_tag:
            body["call_tag"] = call_tag
        reply = self._request_token(body, None)
        if reply.status == 403 and isinstance(reply.result, dict) and "guest_pin" in reply.result:
            if reply.result.get("guest_pin") == "none":
                reply = self._request_token(body, "none")
            elif pin:
                reply = self._request_token(body, pin)
            else:
                raise PinRequired(http_status=403)
        return self._token_grant(reply)

    def _request_token(self, body: Mapping[str, Any], pin: str | None) -> Reply:
        return self._send(
            "POST",
            f"{self.conference_url}/request_token",
            "request_token",
            body=body,
            headers={"pin": pin} if pin is not None else None,
            timeout=SIGNALLING_TIMEOUT,
            retry=False,
        )

    def _token_grant(self, reply: Reply) -> TokenGrant:
        result = reply.result
        if reply.status == 200:
            if not isinstance(result, dict) or not isinstance(result.get("token"), str):
                raise ProtocolError("request_token without a token", http_status=200)
            return _grant(result)
        if reply.status in (403, 415):
            if reply.reason is not None:
                raise error_for_reason(reply.reason, http_status=reply.status, default=NotAllowed)
            if isinstance(result, dict) and "guest_pin" in result:
                # A second PIN prompt after we sent a PIN: treat as a wrong PIN.
                raise PinRequired(http_status=403)
            # IdP lists, SSO redirects and Virtual Reception prompts are not for patients.
            raise NotAllowed(http_status=reply.status)
        if reply.status == 404:
            raise error_for_reason(reply.reason, http_status=404, default=ConferenceNotFound)
        if reply.status == 503:
            raise error_for_reason(reply.reason, http_status=503, default=Maintenance)
        raise self._fail(reply, endpoint="request_token")

    def refresh_token(self, token: str) -> RefreshedToken:
        """A new token (use it from then on). Retries are the caller's business (expiry-bound)."""
        reply = self._send(
            "POST", f"{self.conference_url}/refresh_token", "refresh_token", token=token
        )
        result = self._expect_ok(reply, "refresh_token")
        if not isinstance(result, dict) or not isinstance(result.get("token"), str):
            raise ProtocolError("refresh_token without a token", http_status=200)
        role = result.get("role")
        return RefreshedToken(
            result["token"],
            parse_expires(result.get("expires")),
            role if isinstance(role, str) else None,
        )

    def release_token(self, token: str, reason: str = LEAVE_REASON) -> None:
        """Leave the conference. Doing it twice is harmless, so an invalid token is not an error."""
        reply = self._send(
            "POST",
            f"{self.conference_url}/release_token",
            "release_token",
            token=token,
            body={"reason": reason},
            retry=True,
        )
        if reply.status == 403:
            return
        self._expect_ok(reply, "release_token")

    # ------------------------------------------------------------------ calls

    def calls(
        self,
        token: str,
        participant_uuid: str,
        sdp: str,
        *,
        media_type: str | None = None,
        present: str | None = None,
        fecc_supported: bool = False,
    ) -> CallAnswer:
        """Create the media call with a full (non-trickle) offer; candidates are in the SDP."""
        body: dict[str, Any] = {"call_type": "WEBRTC", "sdp": sdp, "fecc_supported": fecc_supported}
        if media_type:
            body["media_type"] = media_type
        if present:
            body["present"] = present
        reply = self._send(
            "POST",
            f"{self._participant_url(participant_uuid)}/calls",
            "calls",
            token=token,
            body=body,
            timeout=SIGNALLING_TIMEOUT,
            retry=False,  # a repeated POST could create a second call
        )
        result = self._expect_ok(reply, "calls")
        if isinstance(result, str):
            # Legacy nodes answered with the bare SDP string.
            return CallAnswer("", result, False, ())
        if not isinstance(result, dict):
            raise ProtocolError("calls without a result", http_status=200)
        call_uuid, answer = result.get("call_uuid"), result.get("sdp")
        if not isinstance(call_uuid, str) or not call_uuid:
            raise ProtocolError("calls without call_uuid", http_status=200)
        return CallAnswer(
            call_uuid,
            answer if isinstance(answer, str) else "",
            bool(result.get("offer_ignored", False)),
            parse_ice_servers(None, result.get("turn")),
        )

    def ack(
        self,
        token: str,
        participant_uuid: str,
        call_uuid: str,
        *,
        sdp: str | None = None,
        offer_ignored: bool = False,
    ) -> None:
        """Start media (transcoded: no body content); in direct media, carry our answer.

        ``offer_ignored=True`` rejects a colliding relayed offer (reference §4.2).
        """
        body: dict[str, Any] = {}
        if offer_ignored:
            body = {"sdp": "offer_ignored", "offer_ignored": True}
        elif sdp is not None:
            body = {"sdp": sdp}
        reply = self._send(
            "POST",
            f"{self._call_url(participant_uuid, call_uuid)}/ack",
            "ack",
            token=token,
            body=body,
            timeout=ACK_TIMEOUT,
            retry=True,
        )
        self._expect_ok(reply, "ack")

    def disconnect_call(self, token: str, participant_uuid: str, call_uuid: str) -> None:
        """End the media call only; the participant (token) stays."""
        reply = self._send(
            "POST",
            f"{self._call_url(participant_uuid, call_uuid)}/disconnect",
            "disconnect_call",
            token=token,
            retry=True,
        )
        self._expect_ok(reply, "disconnect_call")

    # ------------------------------------------------------------------ in call

    def message(self, token: str, payload: str, *, mime_type: str = "text/plain") -> None:
        """Chat to everyone. Not retried: a repeat would post the message twice."""
        reply = self._send(
            "POST",
            f"{self.conference_url}/message",
            "message",
            token=token,
            body={"type": mime_type, "payload": payload},
        )
        self._expect_ok(reply, "message")

    def set_audio_muted(
        self, token: str, participant_uuid: str, muted: bool, *, version_id: int | None
    ) -> None:
        """Tell the node we muted ourselves: ``client_mute`` from v36, ``mute`` before."""
        modern = version_id is None or version_id >= 36
        name = (
            ("client_mute" if muted else "client_unmute")
            if modern
            else ("mute" if muted else "unmute")
        )
        self._participant_flag(token, participant_uuid, name)

    def set_video_muted(self, token: str, participant_uuid: str, muted: bool) -> None:
        """Camera off/on, so others see an avatar instead of a frozen picture."""
        self._participant_flag(token, participant_uuid, "video_muted" if muted else "video_unmuted")

    def _participant_flag(self, token: str, participant_uuid: str, name: str) -> None:
        """POST ``participants/<uuid>/<name>`` without a body (safe to repeat: a flag)."""
        reply = self._send(
            "POST",
            f"{self._participant_url(participant_uuid)}/{name}",
            name,
            token=token,
            retry=True,
        )
        self._expect_ok(reply, name)

    def conference_status(self, token: str) -> dict[str, Any]:
        reply = self._send(
            "GET",
            f"{self.conference_url}/conference_status",
            "conference_status",
            token=token,
            retry=True,
        )
        result = self._expect_ok(reply, "conference_status")
        if not isinstance(result, dict):
            raise ProtocolError("conference_status without a result", http_status=200)
        return result

    def participants(self, token: str) -> list[dict[str, Any]]:
        reply = self._send(
            "GET", f"{self.conference_url}/participants", "participants", token=token, retry=True
        )
        result = self._expect_ok(reply, "participants")
        if not isinstance(result, list):
            raise ProtocolError("participants without a list", http_status=200)
        return [p for p in result if isinstance(p, dict)]

    # ------------------------------------------------------------------ events

    def open_events(self, token: str, *, silence_timeout: float) -> requests.Response:
        """Open the SSE stream (token in a header, so never in a URL). Caller closes it.

        The read timeout doubles as the silence detector: no byte for ``silence_timeout``
        seconds raises inside iteration, and the reader reconnects.
        """
        try:
            response = self.session.get(
                f"{self.conference_url}/events",
                headers={"token": token, "Accept": "text/event-stream", "User-Agent": USER_AGENT},
                stream=True,
                timeout=(10.0, silence_timeout),
                verify=self.session.verify,
            )
        except requests.exceptions.SSLError:
            raise UntrustedCertificate() from None
        except requests.RequestException:
            raise NodeUnavailable() from None
        if response.status_code != 200:
            reply = self._reply(response)
            response.close()
            if reply.status == 403:
                raise error_for_reason(reply.reason, http_status=403, default=InvalidToken)
            raise self._fail(reply, endpoint="events")
        return response


def _grant(result: Mapping[str, Any]) -> TokenGrant:
    def text(key: str) -> str | None:
        value = result.get(key)
        return value if isinstance(value, str) else None

    channel = result.get("pex_datachannel_id")
    interval = result.get("client_stats_update_interval")
    return TokenGrant(
        token=str(result["token"]),
        expires=parse_expires(result.get("expires")),
        participant_uuid=text("participant_uuid") or "",
        role=(text("role") or "GUEST").upper(),
        current_service_type=text("current_service_type") or "conference",
        version_id=_version_id(result),
        direct_media=result.get("direct_media") is True,
        trickle_ice_enabled=result.get("trickle_ice_enabled") is True,
        chat_enabled=result.get("chat_enabled") is True,
        call_type=text("call_type"),
        ice_servers=parse_ice_servers(result.get("stun"), result.get("turn")),
        use_relay_candidates_only=result.get("use_relay_candidates_only") is True,
        pex_datachannel_id=channel if isinstance(channel, int) else None,
        client_stats_update_interval_ms=float(interval)
        if isinstance(interval, int | float)
        else None,
        service_type=text("service_type"),
        conference_name=text("conference_name"),
    )
