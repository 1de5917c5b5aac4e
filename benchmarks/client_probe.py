"""One headless client join for the benchmark (the code path of ``videotime join``), printing
the full report (contract keys plus extras) as JSON on stdout."""

from __future__ import annotations

import json
import sys


def main() -> int:
    from videotime_client.cli.join import headless_join
    from videotime_client.invitation import parse_invitation
    from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack

    link, seconds = sys.argv[1], float(sys.argv[2])
    report = headless_join(
        parse_invitation(link, dev=True),
        video_source=SyntheticVideoTrack(label="patient"),
        audio_source=ToneAudioTrack(),
        duration_s=seconds,
        measure_latency=True,
    )
    data = report.as_json()
    extra = dict(report.extra)
    extra["video_level"] = str(extra["video_level"])
    data["extra"] = extra
    print(json.dumps(data))
    return 0 if report.connected else 1


if __name__ == "__main__":
    sys.exit(main())
