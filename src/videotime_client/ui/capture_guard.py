"""Keep the consultation window out of screen captures and recordings (best effort).

The conversation must not be recorded, so the consultation window asks the OS to leave it out of
screenshots, screen recordings and screen sharing:

* **Windows 10 2004+**: ``SetWindowDisplayAffinity(hwnd, WDA_EXCLUDEFROMCAPTURE)``; older
  Windows falls back to ``WDA_MONITOR`` (a black rectangle instead of an invisible window). The
  handle must be a top-level window of this process and DWM must be composing (it always is on
  10/11). Qt may recreate the native window (e.g. after ``setWindowFlags``), so call this again
  on ``QEvent.WinIdChange``.
* **macOS**: ``NSWindow.sharingType = NSWindowSharingNone`` on the window that owns the NSView
  Qt returns from ``winId()``. Needs pyobjc (``pyobjc-core`` + ``pyobjc-framework-Cocoa``,
  a macOS-only optional dependency bundled into the macOS app); without it this is a logged
  no-op. macOS 15+ ScreenCaptureKit ignores the flag, so it only stops older capture APIs.
* **Linux and everything else**: no such API exists (any X11 client can read any window; Wayland
  capture goes through a portal with user consent), so this logs one line and returns False.

None of this is DRM: a phone pointed at the screen still records. The privacy notice says so.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

log = logging.getLogger(__name__)

WDA_NONE = 0x0
WDA_MONITOR = 0x1
WDA_EXCLUDEFROMCAPTURE = 0x11
NS_WINDOW_SHARING_NONE = 0


def exclude_from_capture(widget: Any) -> bool:
    """Ask the OS to exclude ``widget``'s top-level window from capture; True if it agreed.

    Never raises: a failure is logged (at INFO, it is expected on Linux and old systems) and
    reported as False so the UI can, for example, show a lock icon only when it worked.
    """
    window = widget.window()
    try:
        if sys.platform == "win32":
            return _exclude_windows(int(window.winId()))
        if sys.platform == "darwin":
            return _exclude_macos(int(window.winId()))
    except Exception as exc:  # OS API surprises must not break the consultation
        log.info("window-capture exclusion failed: %s: %s", type(exc).__name__, exc)
        return False
    log.info("window-capture exclusion is not available on %s (no OS API)", sys.platform)
    return False


def _exclude_windows(hwnd: int) -> bool:
    import ctypes
    from ctypes import wintypes

    user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
    set_affinity = user32.SetWindowDisplayAffinity
    set_affinity.argtypes = (wintypes.HWND, wintypes.DWORD)
    set_affinity.restype = wintypes.BOOL
    if set_affinity(hwnd, WDA_EXCLUDEFROMCAPTURE):
        log.info("window excluded from capture (WDA_EXCLUDEFROMCAPTURE)")
        return True
    error = ctypes.get_last_error()  # type: ignore[attr-defined]
    # Before Windows 10 2004 the value is rejected; WDA_MONITOR at least blacks the window out.
    if set_affinity(hwnd, WDA_MONITOR):
        log.info("window blacked out in captures (WDA_MONITOR; Windows older than 10 2004)")
        return True
    log.info("SetWindowDisplayAffinity failed (error %d)", error)
    return False


def _exclude_macos(nsview_pointer: int) -> bool:
    try:
        import objc
    except ImportError:
        log.info("window-capture exclusion needs pyobjc, which this build does not include")
        return False
    nsview = objc.objc_object(c_void_p=nsview_pointer)
    nswindow = nsview.window()
    if nswindow is None:
        log.info("window-capture exclusion: the window is not shown yet")
        return False
    nswindow.setSharingType_(NS_WINDOW_SHARING_NONE)
    log.info("window excluded from capture (NSWindowSharingNone; ignored by macOS 15+ capture)")
    return True
