"""System programs some tests drive (Chromium, Java): found on the PATH, else installed from
Debian with apt-get as root, the way the setup of a fresh machine does; the test is skipped only
where neither can be done."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def debian_command(command: str, package: str) -> str:
    """The path of `command`, installing Debian's `package` when it is missing."""
    found = shutil.which(command)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"{command} is missing and cannot be installed here (needs root and apt-get)")
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
        done = subprocess.run(
            step,
            capture_output=True,
            text=True,
            check=False,
            env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"},
        )
        if done.returncode != 0:
            pytest.skip(f"{package} could not be installed: {done.stderr.strip()[-300:]}")
    return shutil.which(command) or pytest.skip(f"apt installed no `{command}` command")
