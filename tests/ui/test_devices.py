"""Device lists and media objects for the real (Qt Multimedia) path, against virtual devices."""

from __future__ import annotations

import pytest

# Qt Multimedia's FFmpeg back end logs its probing (PipeWire missing, one malformed
# QString::arg) at first use; not ours to fix.
pytestmark = pytest.mark.qt_log_ignore(r"pipewire|PipeWire|symbolsresolver|QString::arg")


def test_synthetic_media_offers_the_test_picture_and_tone(qapp) -> None:
    from videotime_client.ui.devices import MediaChoice

    cams, mics, _ = MediaChoice(synthetic=True).devices()
    assert [d.id for d in cams] == ["synthetic"]
    assert [d.label("en") for d in mics] == ["Test sound"]
    assert MediaChoice(synthetic=True).frame_source() is not None


@pytest.mark.allow_warning_logs
def test_real_devices_are_listed_with_the_default_first(qapp, pulse) -> None:
    from videotime_client.ui.devices import MediaChoice

    pulse.virtual_mic("vt_dev_mic")
    pulse.null_sink("vt_dev_speaker")
    pulse.set_default(sink="vt_dev_speaker", source="vt_dev_mic")
    choice = MediaChoice(synthetic=False)
    cams, mics, speakers = choice.devices()
    assert cams == []  # no camera on this machine: the check and the call go without one
    assert choice.frame_source() is None
    assert speakers, "the virtual speaker is listed"
    assert all(isinstance(d.label, str) and d.label for d in mics + speakers)
    assert len({d.id for d in speakers}) == len(speakers)
