"""The HTTP face of the node: Pexip client REST API v2 routes, the /clinician page, /_admin.

Paths, methods, headers and envelopes follow /work/shared/reference/pexip-client-api.md (a Pexip
Infinity node as the SDKs see it). Decisions where the reference is silent are in docs/node.md.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import ipaddress
import json
import logging
import os
import re
import socket
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from aiohttp import web

from videotime_node.calls import CallError, DirectCall, TranscodedCall
from videotime_node.conference import (
    REASON_CONFERENCE_TERMINATED,
    REASON_DISCONNECTED_BY_HOST,
    EventStream,
    Node,
    Participant,
    Room,
    sse_frame,
)
from videotime_node.faults import FaultError, error_body

log = logging.getLogger(__name__)

API = "/api/client/v2"
CONF = API + "/conferences/{alias}"
PART = CONF + "/participants/{uuid}"
CALL = PART + "/calls/{call}"
SSE_KEEPALIVE_S = 15.0

NODE_KEY = web.AppKey("node", Node)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# ---------------------------------------------------------------- envelopes
def ok(result: Any, status: int = 200) -> web.Response:
    return web.json_response({"status": "success", "result": result}, status=status)


def failed(result: Any, status: int) -> web.Response:
    return web.json_response({"status": "failed", "result": result}, status=status)


def invalid_token() -> web.Response:
    # Android fixtures show "success" here, Pexip's schema says "failed"; clients must not branch
    # on status either way (reference §1), so we follow the published schema.
    return web.json_response({"status": "failed", "result": "Invalid token"}, status=403)


def not_found() -> web.Response:
    return failed("Neither conference nor gateway found", 404)


def _node(request: web.Request) -> Node:
    return request.app[NODE_KEY]


def _endpoint_name(request: web.Request) -> str:
    """The endpoint a request is for, as fault specs name it (``calls``, ``ack``, ...)."""
    path = request.path.rstrip("/")
    if path == API + "/status":
        return "status"
    parts = path.split("/")
    return parts[-1] if len(parts) > 5 else ""


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: deep JSON
        raise web.HTTPBadRequest(
            text=json.dumps({"status": "failed", "result": "Invalid JSON body"}),
            content_type="application/json",
        ) from exc
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"status": "failed", "result": "Body must be a JSON object"}),
            content_type="application/json",
        )
    return data


def _token(request: web.Request) -> str | None:
    return request.headers.get("token") or request.query.get("token")


# ---------------------------------------------------------------- middlewares
@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(API):
        node = _node(request)
        alias = request.match_info.get("alias")
        for fault in node.faults.take(alias, _endpoint_name(request)):
            if fault.kind == "slow":
                # Cut short when the node stops, so shutdown never waits on an injected delay.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(node.closing.wait(), fault.delay_s)
            elif fault.kind == "http_error":
                content_type, text = error_body(fault)
                return web.Response(status=fault.status, text=text, content_type=content_type)
    return await handler(request)


@web.middleware
async def admin_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/_admin"):
        try:
            loopback = ipaddress.ip_address(request.remote or "").is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            return web.json_response({"error": "admin API is loopback only"}, status=403)
    return await handler(request)


# ---------------------------------------------------------------- helpers
def _room(request: web.Request) -> Room:
    room = _node(request).rooms.get(request.match_info["alias"])
    if room is None:
        raise _Abort(not_found())
    return room


class _Abort(Exception):
    def __init__(self, response: web.Response) -> None:
        super().__init__()
        self.response = response


def _auth(request: web.Request) -> Participant:
    room = _room(request)
    p = _node(request).participant_for(_token(request), room.alias)
    if p is None:
        raise _Abort(invalid_token())
    return p


def _target(
    request: web.Request, me: Participant, *, host_only: bool = False, self_only: bool = False
) -> Participant:
    target = me.room.participants.get(request.match_info["uuid"])
    if target is None:
        raise _Abort(failed("Participant not found", 404))
    if self_only and target is not me:
        raise _Abort(failed("Invalid participant", 403))
    if host_only and not me.is_host and target is not me:
        raise _Abort(failed("Invalid role", 403))
    return target


def _host_only(me: Participant) -> None:
    if not me.is_host:
        raise _Abort(failed("Invalid role", 403))


def guarded(handler: Handler) -> Handler:
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except _Abort as abort:
            return abort.response

    wrapper.__name__ = handler.__name__
    return wrapper


# ---------------------------------------------------------------- token endpoints
async def status(request: web.Request) -> web.StreamResponse:
    if _node(request).maintenance:
        return failed("System in maintenance mode", 503)
    return ok(True)


@guarded
async def request_token(request: web.Request) -> web.StreamResponse:
    node = _node(request)
    room = _room(request)
    if node.maintenance:
        return failed("System in maintenance mode", 503)
    body = await _body(request)
    name = body.get("display_name")
    if not isinstance(name, str) or not name.strip():
        return failed("display_name is required", 400)
    cfg = room.config
    pin = request.headers.get("pin")
    if pin is None:
        if cfg.host_pin is None and cfg.guest_pin is None:
            role = "HOST"
        else:
            return ok(
                {
                    "pin": "required" if cfg.host_pin else "none",
                    "guest_pin": "required" if cfg.guest_pin else "none",
                    "version": node.config.version,
                },
                status=403,
            )
    elif cfg.host_pin is not None and pin == cfg.host_pin:
        role = "HOST"
    elif cfg.guest_pin is not None and pin == cfg.guest_pin:
        role = "GUEST"
    elif pin.strip().lower() == "none" and cfg.guest_pin is None:
        role = "GUEST" if cfg.host_pin else "HOST"
    else:
        key = request.remote or "?"
        failures = room.pin_failures.get(key, 0) + 1
        if failures >= cfg.pin_retries:
            room.pin_failures.pop(key, None)
            return ok("Participant exceeded PIN entry retries", status=403)
        room.pin_failures[key] = failures
        return ok("Invalid PIN", status=403)
    room.pin_failures.pop(request.remote or "?", None)
    p = Participant(
        room=room,
        display_name=name.strip()[:100],
        role=role,
        service_type=room.initial_service_type(role),
        call_tag=str(body.get("call_tag") or ""),
        vendor=request.headers.get("User-Agent", "")[:200],
        wants_direct_media=bool(body.get("direct_media", False)),
    )
    token = node.issue_token(p)
    result: dict[str, Any] = {
        "token": token,
        "expires": str(node.config.token_expires_s),
        "participant_uuid": p.uuid,
        "display_name": p.display_name,
        "role": role,
        "version": node.config.version,
        "current_service_type": p.service_type,
        "service_type": cfg.service_type,
        "conference_name": cfg.name,
        "service_name": cfg.name,
        "call_type": cfg.call_type,
        "chat_enabled": cfg.chat_enabled,
        "guests_can_present": False,
        "fecc_enabled": False,
        "rtmp_enabled": False,
        "rtsp_enabled": False,
        "analytics_enabled": False,
        "allow_1080p": False,
        "vp9_enabled": False,
        "trickle_ice_enabled": False,
        "use_relay_candidates_only": cfg.relay_only,
        "bandwidth_in": 1280,
        "bandwidth_out": 1280,
        "breakout_rooms": False,
        "direct_media": p.direct,
        "stun": list(cfg.stun),
        "turn": list(cfg.turn),
    }
    if p.call_tag:
        result["call_tag"] = p.call_tag
    if p.direct:
        result["pex_datachannel_id"] = node.next_datachannel_id()
        result["client_stats_update_interval"] = 15000
    room.join(p)
    return ok(result)


@guarded
async def refresh_token(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    token = _node(request).issue_token(p)
    return ok(
        {"token": token, "expires": str(_node(request).config.token_expires_s), "role": p.role}
    )


@guarded
async def release_token(request: web.Request) -> web.StreamResponse:
    node = _node(request)
    room = _room(request)
    p = node.participant_for(_token(request), room.alias)
    if p is None:
        return invalid_token()
    with contextlib.suppress(web.HTTPBadRequest):
        await _body(request)
    room.remove(p, None, notify=False)
    return ok(True)


# ---------------------------------------------------------------- events
@guarded
async def events(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    room = p.room
    stream = EventStream()
    stream.put("participant_sync_begin", None)
    for other in room.participants.values():
        stream.put("participant_create", other.to_json())
    stream.put("participant_sync_end", None)
    stream.put("conference_update", room.status_json())
    if p.direct and (p.call is None or getattr(p.call, "state", "") == "waiting"):
        stream.put(
            "splash_screen", {"screen_key": "direct_media_waiting_for_host", "display_duration": 0}
        )
    p.streams.append(stream)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    event_id = 0
    try:
        while True:
            try:
                item = await asyncio.wait_for(stream.queue.get(), SSE_KEEPALIVE_S)
            except TimeoutError:
                await response.write(b": keepalive\n\n")
                continue
            if item is None:
                break
            event_id += 1
            await response.write(sse_frame(item[0], item[1], event_id))
    except ConnectionResetError:
        return response  # the client went away
    finally:
        stream.close()
        with contextlib.suppress(ValueError):
            p.streams.remove(stream)
    with contextlib.suppress(ConnectionResetError):
        await response.write_eof()
    return response


# ---------------------------------------------------------------- conference
@guarded
async def participants(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    return ok([q.to_json() for q in p.room.participants.values()])


@guarded
async def conference_status(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    return ok(p.room.status_json())


@guarded
async def theme(request: web.Request) -> web.StreamResponse:
    _auth(request)
    return web.Response(status=204)


async def _message_body(request: web.Request) -> tuple[str, str]:
    body = await _body(request)
    mtype = body.get("type", "text/plain")
    payload = body.get("payload")
    if not isinstance(payload, str) or not isinstance(mtype, str):
        raise _Abort(failed("type and payload must be strings", 400))
    return mtype, payload


@guarded
async def message(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    if not p.room.config.chat_enabled:
        return failed("Chat is disabled", 403)
    mtype, payload = await _message_body(request)
    p.room.post_message(p, mtype, payload)
    return ok(True)


@guarded
async def lock(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    _host_only(p)
    p.room.set_locked(True)
    return ok(True)


@guarded
async def unlock(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    _host_only(p)
    p.room.set_locked(False)
    return ok(True)


@guarded
async def start_conference(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    _host_only(p)
    p.room.start_conference()
    return ok(True)


@guarded
async def conference_disconnect(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    _host_only(p)
    for q in list(p.room.participants.values()):
        if q is not p:
            p.room.remove(q, REASON_CONFERENCE_TERMINATED)
    p.room.remove(p, REASON_CONFERENCE_TERMINATED)
    return ok(True)


@guarded
async def guests_mute(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    _host_only(p)
    p.room.guests_muted = request.path.endswith("/muteguests")
    p.room.conference_changed()
    return ok(True)


# ---------------------------------------------------------------- participant
@guarded
async def admit(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    _host_only(p)
    target = _target(request, p)
    p.room.admit(target)
    return ok(True)


@guarded
async def participant_disconnect(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    target = _target(request, p, host_only=True)
    p.room.remove(target, REASON_DISCONNECTED_BY_HOST)
    return ok(True)


@guarded
async def participant_message(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    target = _target(request, p)
    mtype, payload = await _message_body(request)
    target.send(
        "message_received",
        {
            "origin": p.display_name,
            "uuid": p.uuid,
            "type": mtype,
            "payload": payload,
            "direct": True,
        },
    )
    return ok(True)


def _flag_handler(attr: str, value: bool, *, host_may_set_others: bool) -> Handler:
    @guarded
    async def handler(request: web.Request) -> web.StreamResponse:
        p = _auth(request)
        target = _target(
            request, p, host_only=host_may_set_others, self_only=not host_may_set_others
        )
        setattr(target, attr, value)
        p.room.participant_changed(target)
        return ok(True)

    return handler


@guarded
async def calls(request: web.Request) -> web.StreamResponse:
    p = _auth(request)
    _target(request, p, self_only=True)
    body = await _body(request)
    try:
        result = await _node(request).calls.create(p, body)
    except CallError as exc:
        return web.Response(status=exc.status, text=exc.text, content_type="text/plain")
    return ok(result)


def _call(request: web.Request) -> tuple[Participant, TranscodedCall | DirectCall]:
    p = _auth(request)
    _target(request, p, self_only=True)
    call = _node(request).calls.find_call(p, request.match_info["call"])
    if call is None:
        raise _Abort(failed("Call not found", 404))
    return p, call


@guarded
async def ack(request: web.Request) -> web.StreamResponse:
    _p, call = _call(request)
    call.ack(await _body(request))
    return ok(True)


@guarded
async def call_disconnect(request: web.Request) -> web.StreamResponse:
    p, _call_obj = _call(request)
    _node(request).calls.close_call(p)
    return ok(None)


@guarded
async def new_candidate(request: web.Request) -> web.StreamResponse:
    _p, call = _call(request)
    body = await _body(request)
    try:
        await call.add_candidate(body)
    except ValueError:
        return failed("Invalid candidate", 400)
    return ok(None)


@guarded
async def call_update(request: web.Request) -> web.StreamResponse:
    p, call = _call(request)
    try:
        result = await _node(request).calls.update(p, call, await _body(request))
    except CallError as exc:
        return web.Response(status=exc.status, text=exc.text, content_type="text/plain")
    return ok(result)


@guarded
async def call_statistics(request: web.Request) -> web.StreamResponse:
    _call(request)
    await _body(request)
    return ok(None)


# ---------------------------------------------------------------- clinician page
def _static(name: str) -> str:
    return resources.files("videotime_node").joinpath("static", name).read_text(encoding="utf-8")


async def clinician_page(request: web.Request) -> web.StreamResponse:
    return web.Response(text=_static("clinician.html"), content_type="text/html")


async def clinician_js(request: web.Request) -> web.StreamResponse:
    return web.Response(text=_static("clinician.js"), content_type="application/javascript")


# ---------------------------------------------------------------- web app (static bundles)
# A real node serves its web app under /webapp/: an index page and script bundles of several MB
# with hashed names.  Clients fetch them from the node itself; the pre-flight check times such a
# download to measure the receive direction (docs/preflight.md).  Ours is a placeholder page and
# one bundle of ``webapp_bundle_bytes``: a line of JavaScript and a comment of random base64, so
# it is as incompressible as a minified bundle and weighs what a real one weighs.
class WebApp:
    def __init__(self, size: int) -> None:
        head = b'console.debug("videotime node: placeholder web app; see /clinician");\n/* '
        tail = b" */\n"
        pad = max(0, size - len(head) - len(tail))
        noise = base64.b64encode(os.urandom(pad * 3 // 4 + 3))[:pad]
        self.bundle = head + noise + tail
        self.name = f"index-{hashlib.sha256(self.bundle).hexdigest()[:8]}.js"
        self.index = (
            '<!doctype html><html lang="nb"><head><meta charset="utf-8">'
            "<title>Videotime node</title>"
            f'<script type="module" crossorigin src="/webapp/assets/{self.name}"></script>'
            "</head><body><p>Videotime test node. The clinician page is at "
            '<a href="/clinician">/clinician</a>.</p></body></html>'
        )


WEBAPP_KEY = web.AppKey("webapp", dict[int, WebApp])


def _webapp(request: web.Request) -> WebApp:
    size = _node(request).config.webapp_bundle_bytes
    if size <= 0:
        raise web.HTTPNotFound()
    made = request.app[WEBAPP_KEY]
    if size not in made:
        made[size] = WebApp(size)  # made once, on first use
    return made[size]


async def webapp_index(request: web.Request) -> web.StreamResponse:
    return web.Response(text=_webapp(request).index, content_type="text/html")


def _stock_tcp(request: web.Request) -> None:
    """Use a stock Linux server's congestion control for this connection.  This host may
    default to BBR, which on our namespace links (0.1 ms base round trip, a 22 kB buffer at
    0.5 Mbit/s) stalls on timeouts and delivers 65-100 % of the line; cubic fills it."""
    algorithm = _node(request).config.webapp_tcp_congestion
    sock = request.transport.get_extra_info("socket") if request.transport else None
    if algorithm and sock is not None and hasattr(socket, "TCP_CONGESTION"):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, algorithm.encode())
        except OSError:
            log.debug("web app: congestion control %s not available", algorithm)


async def webapp_asset(request: web.Request) -> web.StreamResponse:
    app = _webapp(request)
    if request.match_info["name"] != app.name:
        raise web.HTTPNotFound()
    _stock_tcp(request)
    body, status, headers = app.bundle, 200, {"Accept-Ranges": "bytes", "ETag": f'"{app.name}"'}
    headers["Cache-Control"] = "public, max-age=31536000, immutable"  # hashed name
    # One byte range (``bytes=a-b`` / ``bytes=a-``), as the web servers in front of a real
    # node answer; anything else gets the whole file.
    m = re.fullmatch(r"bytes=(\d+)-(\d*)", request.headers.get("Range", "").strip())
    if m:
        start = int(m.group(1))
        end = min(int(m.group(2)) if m.group(2) else len(body) - 1, len(body) - 1)
        if start > end:
            return web.Response(status=416, headers={"Content-Range": f"bytes */{len(body)}"})
        headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
        body, status = body[start : end + 1], 206
    return web.Response(
        body=body, status=status, headers=headers, content_type="application/javascript"
    )


# ---------------------------------------------------------------- admin (loopback only)
async def admin_rooms(request: web.Request) -> web.StreamResponse:
    node = _node(request)
    return web.json_response({alias: r.admin_json() for alias, r in node.rooms.items()})


async def admin_room(request: web.Request) -> web.StreamResponse:
    room = _node(request).rooms.get(request.match_info["alias"])
    if room is None:
        return web.json_response({"error": "no such room"}, status=404)
    return web.json_response(room.admin_json())


async def admin_faults(request: web.Request) -> web.StreamResponse:
    node = _node(request)
    if request.method == "DELETE":
        node.faults.clear()
        return web.json_response({"ok": True})
    try:
        node.faults.add(await request.json())
    except (FaultError, ValueError, TypeError) as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response({"ok": True})


async def admin_clinician(request: web.Request) -> web.StreamResponse:
    room = _node(request).rooms.get(request.match_info["alias"])
    if room is None or room.clinician is None:
        return web.json_response({"error": "no simulated clinician in this room"}, status=404)
    action = (await request.json()).get("action")
    room.clinician.manual = True
    if action == "join":
        room.clinician.join()
    elif action == "leave":
        room.clinician.leave()
    else:
        return web.json_response({"error": "action must be join or leave"}, status=400)
    return web.json_response({"ok": True})


async def admin_disconnect(request: web.Request) -> web.StreamResponse:
    room = _node(request).rooms.get(request.match_info["alias"])
    body = await request.json()
    p = room.participants.get(str(body.get("participant_uuid"))) if room else None
    if room is None or p is None:
        return web.json_response({"error": "no such participant"}, status=404)
    room.remove(p, str(body.get("reason") or "API initiated participant disconnect"))
    return web.json_response({"ok": True})


async def admin_clock(request: web.Request) -> web.StreamResponse:
    node = _node(request)
    node.clock_offset += float((await request.json()).get("advance_s", 0))
    return web.json_response({"offset_s": node.clock_offset})


async def admin_results(request: web.Request) -> web.StreamResponse:
    node = _node(request)
    key = request.match_info["key"]
    if request.method == "POST":
        node.results[key] = await request.json()
        del_keys = list(node.results)[:-100]  # bounded
        for k in del_keys:
            node.results.pop(k, None)
        return web.json_response({"ok": True})
    return web.json_response(node.results.get(key))


# ---------------------------------------------------------------- app
def build_app(node: Node) -> web.Application:
    app = web.Application(middlewares=[admin_guard, fault_middleware], client_max_size=4 * 2**20)
    app[NODE_KEY] = node
    app[WEBAPP_KEY] = {}
    r = app.router
    r.add_get(API + "/status", status)
    r.add_post(CONF + "/request_token", request_token)
    r.add_post(CONF + "/refresh_token", refresh_token)
    r.add_post(CONF + "/release_token", release_token)
    r.add_get(CONF + "/events", events)
    r.add_get(CONF + "/participants", participants)
    r.add_get(CONF + "/conference_status", conference_status)
    r.add_get(CONF + "/theme/", theme)
    r.add_post(CONF + "/message", message)
    r.add_post(CONF + "/lock", lock)
    r.add_post(CONF + "/unlock", unlock)
    r.add_post(CONF + "/start_conference", start_conference)
    r.add_post(CONF + "/disconnect", conference_disconnect)
    r.add_post(CONF + "/muteguests", guests_mute)
    r.add_post(CONF + "/unmuteguests", guests_mute)
    r.add_post(PART + "/unlock", admit)
    r.add_post(PART + "/disconnect", participant_disconnect)
    r.add_post(PART + "/message", participant_message)
    for path, attr, value, host_may in (
        ("client_mute", "is_client_muted", True, False),
        ("client_unmute", "is_client_muted", False, False),
        ("mute", "is_muted", True, True),
        ("unmute", "is_muted", False, True),
        ("video_muted", "is_video_muted", True, False),
        ("video_unmuted", "is_video_muted", False, False),
    ):
        r.add_post(f"{PART}/{path}", _flag_handler(attr, value, host_may_set_others=host_may))
    r.add_post(PART + "/calls", calls)
    r.add_post(CALL + "/ack", ack)
    r.add_post(CALL + "/disconnect", call_disconnect)
    r.add_post(CALL + "/new_candidate", new_candidate)
    r.add_post(CALL + "/update", call_update)
    r.add_post(CALL + "/statistics", call_statistics)
    r.add_get("/clinician", clinician_page)
    r.add_get("/clinician.js", clinician_js)
    r.add_get("/webapp/", webapp_index)
    r.add_get("/webapp/assets/{name}", webapp_asset)
    r.add_get("/_admin/rooms", admin_rooms)
    r.add_get("/_admin/rooms/{alias}", admin_room)
    r.add_post("/_admin/faults", admin_faults)
    r.add_delete("/_admin/faults", admin_faults)
    r.add_post("/_admin/rooms/{alias}/clinician", admin_clinician)
    r.add_post("/_admin/rooms/{alias}/disconnect", admin_disconnect)
    r.add_post("/_admin/clock", admin_clock)
    r.add_get("/_admin/results/{key}", admin_results)
    r.add_post("/_admin/results/{key}", admin_results)
    return app
