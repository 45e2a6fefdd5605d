"""System programs some tests drive (Chromium, Java), as the project's setup provides them
(beejan/core/debian.py); the test is skipped only where they cannot be installed."""

from __future__ import annotations

import pytest

from beejan.core import debian


def debian_command(command: str, package: str) -> str:
    """The path of `command`, installing Debian's `package` when it is missing."""
    try:
        return debian.debian_command(command, package)
    except debian.MissingSystemPackage as error:
        pytest.skip(str(error))
