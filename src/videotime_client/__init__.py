"""Videotime: a calm desktop client for Norwegian hospital video consultations.

Layers (enforced by import-linter, see docs/architecture.md):

* core (every module here except ``ui``, ``media``, ``cli``): no Qt, fully typed;
* ``media``: adapts Qt Multimedia devices and synthetic/file sources to aiortc tracks;
* ``ui``: the only place with widgets;
* ``cli``: the composition root that wires the layers together.
"""

__version__ = "0.1.0"
