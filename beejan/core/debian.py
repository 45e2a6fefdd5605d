"""What the project runs besides Python, from Debian: Java and PostgreSQL's JDBC driver for the
spark engine (and Chromium for the browser tests). Found where Debian puts them, else installed
with apt-get when this process is root, as on a fresh machine; otherwise an error that says
which package to install."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from beejan.core.errors import BeejanError

# the spark engine: a Java runtime for pyspark, and the driver Spark reads PostgreSQL with
JAVA = ("java", "openjdk-17-jre-headless")
POSTGRES_JDBC_JAR = (Path("/usr/share/java/postgresql.jar"), "libpostgresql-jdbc-java")


class MissingSystemPackage(BeejanError):
    """A program or file is missing and cannot be installed here."""


def debian_command(command: str, package: str) -> str:
    """The path of `command`, installing Debian's `package` when it is missing."""
    return _provided(lambda: shutil.which(command), package, f"the `{command}` command")


def debian_file(path: Path, package: str) -> str:
    """`path`, installing Debian's `package` when it is missing."""
    return _provided(lambda: str(path) if path.is_file() else None, package, str(path))


def spark_runtime() -> tuple[str, str]:
    """(java, the PostgreSQL JDBC jar), installed when missing."""
    return debian_command(*JAVA), debian_file(*POSTGRES_JDBC_JAR)


def _provided(find: Callable[[], str | None], package: str, what: str) -> str:
    found = find()
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise MissingSystemPackage(
            f"{what} is missing: install Debian's {package} (apt-get needs root)"
        )
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
        done = subprocess.run(
            step,
            capture_output=True,
            text=True,
            check=False,
            env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"},
        )
        if done.returncode != 0:
            raise MissingSystemPackage(
                f"{package} could not be installed: {done.stderr.strip()[-300:]}"
            )
    found = find()
    if not found:
        raise MissingSystemPackage(f"{package} is installed but {what} is still missing")
    return found
