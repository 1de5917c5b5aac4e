"""The call engine (Qt-free core): one asyncio thread owning every peer connection.

* ``engine``      the media thread and its bounded shutdown
* ``session``     ``CallSession``: the call state machine, reconnection, metrics, typed events
* ``ice``         only the node's STUN/TURN, UDP → TCP → TLS attempts, relay-only
* ``tracks``      bounded drop-oldest hand-offs; local senders; remote receivers that always drain
* ``adaptation``  frame rate / resolution ladder with hysteresis
* ``encoding``    encoder policy: bitrate hysteresis (no keyframe storms), fast libx264
* ``encryption``  DTLS/SRTP facts and the verified remote fingerprint
* ``stats``       good/fair/poor from getStats and our own counters
* ``stamp``       the time stamp drawn into synthetic pictures (latency)
* ``audio_processing``  echo cancellation, noise suppression, gain control (WebRTC APM)

See docs/architecture.md, "Call engine".
"""
