"""Entry point of the frozen app (PyInstaller): exactly what the ``videotime`` command runs."""

from videotime_client.cli import main

raise SystemExit(main())
