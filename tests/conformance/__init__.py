"""Conformance with Pexip's published schemas (@pexip/infinity-api, pinned)."""
