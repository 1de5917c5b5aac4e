"""The embedded Pexip-Infinity-compatible conferencing node (tests, demo and support).

A package of its own: the client code never imports it (import-linter), only the ``videotime``
command's composition root does, for ``videotime node serve`` and ``videotime demo``.
"""
