"""Child process for the sound tests: the app's journey to the consultation with real Qt audio.

Why a child process: Qt Multimedia connects to the sound server it finds first and keeps that
connection for the life of the process, so an in-process test cannot be sure Qt talks to *its*
PulseAudio daemon (other test directories start their own).  A fresh process started with the
test's ``PULSE_SERVER`` can.

Protocol (one JSON object per stdout line):
``{"event": "playing", ...facts}`` once the clinician's picture and sound flow; the parent then
records the speaker and writes one line to stdin; the child hangs up and prints
``{"event": "ended", ...facts}``.  Exit 0 when every step was reached.

Usage: ``python -m tests.ui.audio_journey NODE_URL DATA_DIR synthetic|own [MIC] [SPEAKER]``
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable


def wait_until(app, predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            print(json.dumps({"event": "timeout", "waiting_for": what}), flush=True)
            raise SystemExit(1)
        app.processEvents()
        time.sleep(0.02)


def main(argv: list[str]) -> int:
    node_url, data_dir, mode = argv[:3]
    mic = argv[3] if len(argv) > 3 and argv[3] else None
    speaker = argv[4] if len(argv) > 4 and argv[4] else None

    from videotime_client.paths import AppPaths
    from videotime_client.ui import app as ui_app
    from videotime_client.ui.journey import Step
    from videotime_client.ui.services import AppServices

    app = ui_app.application()
    services = AppServices(
        AppPaths.resolve(data_dir), dev=True, synthetic=mode == "synthetic", play_audio=True
    )
    parts = ui_app.build(services, lang="nb", error_dialogs=False)
    parts.window.show()
    j = parts.journey
    try:
        j.open_link(f"{node_url}/webapp/conference/123456")
        j.prepare_to_join()
        j.options.update(display_name="Kari Nordmann")
        if mic:
            j.options.update(microphone=mic.encode().hex())
        if speaker:
            j.options.update(speaker=speaker.encode().hex())
        devices = {
            "cameras": len(j.options.cameras),
            "microphones": len(j.options.microphones),
            "speakers": len(j.options.speakers),
        }
        j.enter_waiting_room()
        wait_until(app, lambda: j.step == Step.INTRODUCTIONS, 30, "introductions")
        wait_until(app, lambda: bool(j.intro.clinician_intro), 15, "the clinician's introduction")
        j.intro.set_alone(True)
        j.intro.update(no_recording=True)
        j.send_declaration()
        j.intro.tick("me", True)
        j.intro.tick("clinician", True)
        j.start_consultation()
        screen = parts.window.consultation
        wait_until(app, lambda: screen.remote.frames_shown >= 10, 15, "the clinician's picture")
        wait_until(app, lambda: j.call.encryption.encrypted, 5, "encryption")
        player = services._player
        wait_until(
            app,
            lambda: player is not None and player.written_bytes > 48000,
            10,
            "the clinician's sound",
        )
        if mode == "own":
            j.set_muted(True)  # the parent checks that the clinician's side sees it
        tracks = [t.kind for t in services._tracks]
        mic_frames = sum(getattr(t, "frames_in", 0) for t in services._tracks if t.kind == "audio")
        print(
            json.dumps(
                {
                    "event": "playing",
                    "step": j.step.slug,
                    "tracks": tracks,
                    "mic_frames": mic_frames,
                    **devices,
                }
            ),
            flush=True,
        )
        # Keep the event loop (and so the speaker feed) running until the parent has listened.
        import select

        while not select.select([sys.stdin], [], [], 0.02)[0]:
            app.processEvents()
        sys.stdin.readline()
        mic_frames = sum(getattr(t, "frames_in", 0) for t in services._tracks if t.kind == "audio")
        j.hang_up()
        wait_until(app, lambda: j.step == Step.ENDED, 20, "the end")
        print(
            json.dumps(
                {
                    "event": "ended",
                    "reason": parts.window.ended.reason.text(),
                    "mic_frames": mic_frames,
                    "tracks_left": len(services._tracks),
                }
            ),
            flush=True,
        )
        return 0
    finally:
        services.shutdown()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
