"""`videotime --self-test`: prove that this installation (frozen or not) can hold a consultation.

One line per item on stdout, ``ok`` or ``FAIL``, then a summary line; exit 0 only if every item
passed (1 otherwise). The items are the ones that break silently when an installer is built
badly (see packaging/README.md):

* ``qt-multimedia``: Qt Multimedia loads a backend plugin. Pruning ``libQt6Quick``/``Qml`` or
  stripping Qt's FFmpeg libraries gives no error, only "No QtMultimedia backends found" and
  zero codecs, so we count the decoders the backend reports and watch Qt's own messages.
* ``codecs``: PyAV/aiortc encode *and* decode one VP8 video frame and one Opus audio frame.
* ``keyring``: the OS keyring backend answers a read (nothing is written to it).
* ``translations``: the app's catalogue has every text in bokmål, nynorsk and English, and Qt's
  own texts (dialog buttons, menus) are translated the way the UI installs them.
* ``face-detection``: the vendored frontal-face model (``preflight/data/*.xml``, package data a
  freezer can leave behind without any error until the lighting check runs) loads, and the
  lighting check's own detector finds the face in a small test portrait, and none in a picture
  without a face.
* ``loopback-call``: two peer connections in this process connect over 127.0.0.1 only
  (ICE, DTLS, SRTP), exchange VP8 video, Opus audio and a data-channel message.

The self-test never needs a display (it uses Qt's offscreen platform when there is none), never
touches the network beyond loopback, and never writes media to disk.
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# Decode formats Qt Multimedia must report for the backend to count as loaded.
_MIN_QT_DECODERS = 1
_CALL_TIMEOUT_S = 20.0
_FRAMES_WANTED = 5
# A probe name that no real entry uses: reading it must answer "nothing stored", not raise.
_KEYRING_PROBE = ("Videotime self-test", "probe")


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


class CheckFailed(Exception):
    """A self-test item failed; the message is the one line shown to support staff."""


def run(args: argparse.Namespace) -> int:
    results = run_checks()
    for result in results:
        print(f"{'ok  ' if result.ok else 'FAIL'} {result.name}: {result.detail}", flush=True)
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(f"self-test FAILED: {', '.join(failed)}", flush=True)
        return 1
    print(f"self-test passed ({len(results)} checks, frozen={bool(getattr(sys, 'frozen', False))})")
    return 0


def run_checks() -> list[CheckResult]:
    checks: list[tuple[str, Callable[[], str]]] = [
        ("qt-multimedia", check_qt_multimedia),
        ("codecs", check_codecs),
        ("keyring", check_keyring),
        ("translations", check_translations),
        ("face-detection", check_face_detection),
        ("loopback-call", check_loopback_call),
    ]
    results = []
    for name, check in checks:
        try:
            results.append(CheckResult(name, True, check()))
        except CheckFailed as exc:
            results.append(CheckResult(name, False, str(exc)))
        except Exception as exc:  # any surprise is a failed item, never a traceback
            results.append(CheckResult(name, False, f"{type(exc).__name__}: {exc}"))
    return results


# ------------------------------------------------------------------------------ Qt


def _qt_app() -> Any:
    """The running QCoreApplication, or a new QGuiApplication (offscreen without a display)."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    existing = QCoreApplication.instance()
    if existing is not None:
        return existing
    no_display = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if sys.platform.startswith("linux") and no_display:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication([sys.argv[0] if sys.argv else "videotime"])
    _qt_app.keep = app  # type: ignore[attr-defined]  # must outlive this call
    return app


@contextmanager
def _qt_messages() -> Iterator[list[str]]:
    """Collect Qt's own log messages (where the silent failures show up)."""
    from PySide6.QtCore import qInstallMessageHandler

    messages: list[str] = []

    def handler(_mode: Any, _context: Any, message: str) -> None:
        messages.append(message)

    previous = qInstallMessageHandler(handler)
    try:
        yield messages
    finally:
        qInstallMessageHandler(previous)


def check_qt_multimedia() -> str:
    _qt_app()
    with _qt_messages() as messages:
        from PySide6.QtMultimedia import QMediaDevices, QMediaFormat

        decoders = QMediaFormat().supportedVideoCodecs(QMediaFormat.ConversionMode.Decode)
        cameras = len(QMediaDevices.videoInputs())
        microphones = len(QMediaDevices.audioInputs())
    backend_errors = [m for m in messages if "backend" in m.lower()]
    if backend_errors:
        raise CheckFailed(f"Qt Multimedia backend did not load: {backend_errors[0]}")
    if len(decoders) < _MIN_QT_DECODERS:
        raise CheckFailed("Qt Multimedia reports no video decoders (backend plugin missing)")
    return (
        f"backend loaded, {len(decoders)} video decoders, "
        f"{cameras} camera(s), {microphones} microphone(s)"
    )


# ------------------------------------------------------------------------------ codecs


def _test_video_frame(width: int = 320, height: int = 240, index: int = 0) -> Any:
    """A moving gradient (a flat frame would not exercise the encoder)."""
    import av
    import numpy as np

    x = np.arange(width, dtype=np.uint16)[None, :]
    y = np.arange(height, dtype=np.uint16)[:, None]
    plane = ((x + y + 7 * index) % 256).astype(np.uint8)
    rgb = np.stack([plane, np.flipud(plane), np.fliplr(plane)], axis=2)
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
    return frame.reformat(format="yuv420p")


def _test_audio_frame(samples: int = 960, index: int = 0) -> Any:
    """20 ms of a 440 Hz tone, 48 kHz stereo s16 (what WebRTC's Opus carries)."""
    import av
    import numpy as np

    t = (np.arange(samples) + index * samples) / 48_000
    tone = (np.sin(2 * np.pi * 440 * t) * 8_000).astype(np.int16)
    interleaved = np.repeat(tone, 2).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(interleaved, format="s16", layout="stereo")
    frame.sample_rate = 48_000
    frame.pts = index * samples
    frame.time_base = fractions.Fraction(1, 48_000)
    return frame


def _round_trip(mime: str, clock_rate: int, frame: Any, channels: int | None = None) -> list[Any]:
    from aiortc.codecs import depayload, get_decoder, get_encoder
    from aiortc.jitterbuffer import JitterFrame
    from aiortc.rtcrtpparameters import RTCRtpCodecParameters

    codec = RTCRtpCodecParameters(mimeType=mime, clockRate=clock_rate, channels=channels)
    encoder = get_encoder(codec)
    payloads, timestamp = encoder.encode(frame, force_keyframe=True)
    if not payloads:
        raise CheckFailed(f"{mime} encoder produced no packets")
    data = b"".join(depayload(codec, payload) for payload in payloads)
    decoded = list(get_decoder(codec).decode(JitterFrame(data=data, timestamp=timestamp)))
    if not decoded:
        raise CheckFailed(f"{mime} decoder returned no frame")
    return decoded


def check_codecs() -> str:
    import av

    source = _test_video_frame()
    video = _round_trip("video/VP8", 90_000, source)[0]
    if (video.width, video.height) != (source.width, source.height):
        raise CheckFailed(f"VP8 decoded {video.width}x{video.height}, sent 320x240")
    audio = _round_trip("audio/opus", 48_000, _test_audio_frame(), channels=2)[0]
    if audio.samples <= 0:
        raise CheckFailed("Opus decoded an empty frame")
    return (
        f"VP8 {video.width}x{video.height} and Opus {audio.samples} samples encoded and decoded "
        f"(PyAV {av.__version__})"
    )


# ------------------------------------------------------------------------------ keyring


def check_keyring() -> str:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring) or "null" in name.lower():
        raise CheckFailed(f"no usable keyring backend ({name}): PINs cannot be kept")
    try:
        keyring.get_password(*_KEYRING_PROBE)
    except Exception as exc:
        raise CheckFailed(f"{name} did not answer: {type(exc).__name__}: {exc}") from exc
    return f"{name} answered"


# ------------------------------------------------------------------------------ translations

# Qt's own "Cancel" button in each language (Qt ships no bokmål catalogue: the UI layers its
# bokmål overlay over Qt's nynorsk file, ui/i18n.py). If these fail, Qt's dialogs and context
# menus would be in English for Norwegian patients: the translations were pruned too hard.
_QT_CANCEL = {"nb": "Avbryt", "nn": "Avbryt", "en": "Cancel"}


def check_translations() -> str:
    from PySide6.QtCore import QCoreApplication

    from videotime_client.texts import LANGUAGES, Text
    from videotime_client.ui.i18n import install_qt_translators
    from videotime_client.ui.strings import S

    app = _qt_app()
    loaded = {}
    try:
        for lang, expected in _QT_CANCEL.items():
            loaded[lang] = install_qt_translators(app, lang)
            got = QCoreApplication.translate("QPlatformTheme", "Cancel")
            if got != expected:
                raise CheckFailed(f"Qt's texts in {lang}: 'Cancel' reads {got!r}, not {expected!r}")
            if lang != "en" and not any(name.startswith("qtbase_") for name in loaded[lang]):
                raise CheckFailed(f"Qt's own translation file for {lang} is missing")
    finally:
        install_qt_translators(app, "en")  # leaves no translator installed
    texts = [v for v in vars(S).values() if isinstance(v, Text)]
    if not texts or any(not t(lang).strip() for t in texts for lang in LANGUAGES):
        raise CheckFailed("the patient texts are missing or incomplete")
    files = sorted({name for names in loaded.values() for name in names})
    return f"{len(texts)} patient texts in {'/'.join(LANGUAGES)}; Qt: {', '.join(files)}"


# ------------------------------------------------------------------------------ face detection

# A 40x40 grey portrait, 5 bits per pixel, zlib + base64 (1.1 kB, so no data file of our own
# can go missing): the face of skimage's ``astronaut`` (NASA photograph of Eileen Collins, public
# domain), cropped around its face with 40 px of margin and shrunk by area averaging.  The
# face is in the middle; it is scaled up 4x before detection, as a webcam picture would be.
_FACE_SIDE = 40
_FACE_BITS = 5
_FACE_UPSCALE = 4
_FACE_PORTRAIT = (
    "eNpdlAeu4zAMROMmWb1X5/7n3KHyG5aIEcN6IocUqdZ/rGWlfPQu5FpLjs5o7XL7XR9jrP+qLoElH7FYcwxOa2VC"
    "+49r2V0bMy7mXHJK3lnrnVHW1d7/xowhXAfXLsZUSgJhYLcx2jTy0xo5btFCGefOw0uICbD3wSgprRKBAjayGrQ2"
    "NuDxhECagczopZBKCkHKFuY1droYvDZAQRIKU5wxc/Mw56i1Nm+1vJW1xggJUTaQ0xwR8twvzU8x5gRXNTilnfPe"
    "KqmNDykFFCcqfp1M3Iz3xWVyoo3SHsXQFqWhTELwll1McM54XVwSwnlo0R4xKa53Dg98s0sIfovbLX1ZSO3CzVwC"
    "6KhsRkv8OL9gtxBMD+KKFsoazn3rJSUcBpJFOdh5XuyG8ZN34qpBFuJiCXWaY74nlSEHdR3Hfp4MAq+2/CkhJb/u"
    "XEqrdb7fz/uZoxcv+LEjMr/vPrBSJWP85jK3OdE1/QFVSy1BqWvbSKOg86hVQQnnthRU1qU6n55RlZiD5tvGwJnP"
    "8VrU8+IBmoLMoYxZfHTcSmvEtrOb89I+bSDO4+SJWrFB4xgp1eKitUHtOxPH1b6s3Ocl0pgQBiWj50gNl1Iyx3GJ"
    "w/ZP3N6LunXu8/08D3VjSo02lGjO4+Loq+8+HSW4Au6NejQ0d6jUw0jkOM4b76v/1oS0Wvp4nlaWex/xrWevjuOD"
    "jS8Mu2uliMiqd0wRwJacvmVb2PgaOFgpGEYEpdG1NJwlWOfRUr/cJENjV/I5ZyvU0Bg6W/pDSx8OGI5qIuAcIRTq"
    "SK91bYi+FhZIUcHhHSeLD2WgD3pyBdX24fniPi5rCtSeKNpE3ihNjbHOFl35psDBvUFP7vtuKXBfJaIrJgc/frBZ"
    "gmHbaxkup5UZuEy5u/aLTS+/KHAVILTSJYGMvf+DTfkFbdtmIbRRTqQY8xb/cou5z21xENtW5Ij5RBa/6S5O3DvR"
    "uj+joo9TdHQt4eb7A772TRu2vJ4Z2uhQMaa4hMxp0vwBz91kdnwUHhpXMxqB7gznxOsl/fjmmGn22hb22pedXBqn"
    "+drLXVvg86hSzfYxsAvcfir1ejHbnmV+JIlx3j/c94Zfu22naXj/A23Dacc="
)


def _test_face_picture() -> Any:
    """The test portrait as an RGB frame, 160x160, like the lighting check gets from a camera."""
    import base64
    import zlib

    import numpy as np

    from videotime_client.preflight import facedetect

    packed = np.frombuffer(zlib.decompress(base64.b64decode(_FACE_PORTRAIT)), np.uint8)
    shift = 8 - _FACE_BITS
    grey = ((packed.astype(np.uint16) << shift) + (1 << (shift - 1))).astype(np.uint8)
    grey = grey.reshape(_FACE_SIDE, _FACE_SIDE)
    side = _FACE_SIDE * _FACE_UPSCALE
    big = facedetect.resize_bilinear(grey, side, side)
    return np.ascontiguousarray(np.repeat(big[:, :, None], 3, axis=2))


def check_face_detection() -> str:
    from videotime_client.preflight import facedetect
    from videotime_client.preflight.checks import lighting

    model = facedetect.CASCADE_FILE
    if not model.is_file():
        raise CheckFailed(f"the face model {model.name} is missing from this installation")
    cascade = facedetect.frontal_face_cascade()
    picture = _test_face_picture()
    face = lighting.find_face(picture)
    if face is None:
        raise CheckFailed(
            f"{model.name} loaded ({len(cascade.stages)} stages) but found no face "
            "in the test portrait"
        )
    x, y, w, h = face
    centre = picture.shape[0] / 2
    if abs(x + w / 2 - centre) > centre / 3 or abs(y + h / 2 - centre) > centre / 3:
        raise CheckFailed(f"found a face at ({x}, {y}) {w}x{h}, not where the portrait has it")
    blank = _test_video_frame(picture.shape[1], picture.shape[0]).to_ndarray(format="rgb24")
    if lighting.find_face(blank) is not None:
        raise CheckFailed("found a face in a picture without one (a gradient)")
    return (
        f"{model.name} loaded ({len(cascade.stages)} stages); the face in the test portrait "
        f"found at ({x}, {y}) {w}x{h}, none in a gradient"
    )


# ------------------------------------------------------------------------------ loopback call


def check_loopback_call() -> str:
    """Run the call on the app's own media thread, with the app's synthetic camera and tone."""
    from videotime_client.call.engine import MediaEngine

    engine = MediaEngine(name="videotime-self-test")
    try:
        return engine.run(_loopback_call(engine), timeout=_CALL_TIMEOUT_S)
    except TimeoutError as exc:
        raise CheckFailed(f"no connection over 127.0.0.1 within {_CALL_TIMEOUT_S:.0f} s") from exc
    finally:
        engine.close()


@contextmanager
def _loopback_only() -> Iterator[None]:
    """ICE gathers only 127.0.0.1 (aioice skips loopback by default) and no STUN is asked."""
    import aioice.ice

    original = aioice.ice.get_host_addresses

    def loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return ["127.0.0.1"]

    aioice.ice.get_host_addresses = loopback
    try:
        yield
    finally:
        aioice.ice.get_host_addresses = original


def _synthetic_tracks() -> tuple[Any, Any]:
    """The app's synthetic camera (moving picture + noise) and tone, paced like real devices."""
    from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack

    return SyntheticVideoTrack(320, 240, fps=30, label="self-test"), ToneAudioTrack()


def _negotiated_codecs(sdp: str) -> list[str]:
    """The first (chosen) codec of each media section of an answer, e.g. ``VP8/90000``."""
    chosen = []
    for section in sdp.split("m=")[1:]:
        for line in section.splitlines():
            if line.startswith("a=rtpmap:"):
                chosen.append(line.split(" ", 1)[1])
                break
    return chosen


async def _loopback_call(engine: Any) -> str:
    from aiortc import RTCConfiguration, RTCPeerConnection

    from videotime_client.call import encryption

    with _loopback_only():
        caller = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        callee = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        engine.track_peer_connection(caller)
        engine.track_peer_connection(callee)
        received: dict[str, int] = {"video": 0, "audio": 0}
        message: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        enough = asyncio.Event()
        readers: list[asyncio.Task[None]] = []

        async def read(track: Any) -> None:
            while True:
                await track.recv()
                received[track.kind] += 1
                if min(received.values()) >= _FRAMES_WANTED:
                    enough.set()

        def on_track(track: Any) -> None:
            readers.append(asyncio.ensure_future(read(track)))

        def on_message(text: str) -> None:
            if not message.done():
                message.set_result(text)

        callee.on("track", on_track)
        callee.on("datachannel", lambda channel: channel.on("message", on_message))

        try:
            video, audio = _synthetic_tracks()
            caller.addTrack(video)
            caller.addTrack(audio)
            channel = caller.createDataChannel("self-test")
            channel.on("open", lambda: channel.send("videotime://self-test"))
            await caller.setLocalDescription(await caller.createOffer())
            await callee.setRemoteDescription(caller.localDescription)
            await callee.setLocalDescription(await callee.createAnswer())
            await caller.setRemoteDescription(callee.localDescription)
            text = await message
            await enough.wait()
            if caller.connectionState != "connected" or callee.connectionState != "connected":
                raise CheckFailed(
                    f"connection state {caller.connectionState}/{callee.connectionState}"
                )
            codecs = _negotiated_codecs(callee.localDescription.sdp)
            secured = encryption.inspect(caller)
            if not secured.remote_fingerprint_verified:
                raise CheckFailed(f"DTLS fingerprint not verified (state {secured.dtls_state})")
        finally:
            for task in readers:
                task.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
            await caller.close()
            await callee.close()
    used = f" ({', '.join(codecs)})" if codecs else ""
    return (
        f"connected over 127.0.0.1: {received['video']} video and {received['audio']} audio "
        f"frames{used}, data channel {text!r}, {secured.srtp_profile or 'SRTP'} with a verified "
        "DTLS fingerprint"
    )
