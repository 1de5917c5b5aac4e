"""Media sources and sinks: Qt Multimedia devices, synthetic and file sources, as aiortc tracks.

Never imports ``ui``. Modules that touch Qt are named ``qt_*``; the rest are Qt-free so that the
embedded node and headless commands can use them without a display.
"""
