"""The layers of the Python code point down only (ARCHITECTURE.md): the core imports nothing
above it, and nothing imports the command line, which is the composition root."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from beejan.core.settings import PROJECT_DIR

PROJECT_PACKAGES = {
    "beejan",
    "extract_load",
    "flows",
    "serving",
    "simulator",
    "tests",
    "benchmarks",
}
RUNTIME_DIRS = ("beejan", "extract_load", "flows", "serving")


def project_imports(path: Path) -> set[str]:
    """The modules of this project that `path` imports (absolute, dotted)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if name.split(".")[0] in PROJECT_PACKAGES}


def modules_under(folder: str) -> list[Path]:
    return sorted((PROJECT_DIR / folder).rglob("*.py"))


def test_the_core_imports_nothing_above_it() -> None:
    offending = {
        str(path.relative_to(PROJECT_DIR)): sorted(
            name for name in project_imports(path) if not name.startswith("beejan.core")
        )
        for path in modules_under("beejan/core")
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_nothing_imports_the_command_line() -> None:
    importers = [
        str(path.relative_to(PROJECT_DIR))
        for folder in (*RUNTIME_DIRS, "simulator")
        for path in modules_under(folder)
        if not path.is_relative_to(PROJECT_DIR / "beejan" / "cli")
        and any(name.startswith("beejan.cli") for name in project_imports(path))
    ]
    assert importers == []


def test_the_runtime_packages_do_not_need_the_simulator() -> None:
    """The simulator is a development tool: only the command line may offer it, lazily."""
    importers = [
        str(path.relative_to(PROJECT_DIR))
        for folder in RUNTIME_DIRS
        for path in modules_under(folder)
        if not path.is_relative_to(PROJECT_DIR / "beejan" / "cli")
        and any(name.startswith("simulator") for name in project_imports(path))
    ]
    assert importers == []


def test_serving_stands_beside_the_loaders_below_the_flows() -> None:
    """The report and the API need the core and the dbt runner's names, never a loader or a
    flow (the flows call them, not the other way round)."""
    allowed = ("beejan.core", "beejan.dbt_runner", "serving")
    offending = {
        str(path.relative_to(PROJECT_DIR)): sorted(
            name for name in project_imports(path) if not name.startswith(allowed)
        )
        for path in modules_under("serving")
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_the_command_line_starts_without_the_tools_its_commands_run() -> None:
    """`beejan --help` and each verb import what they run when they run: importing the command
    line loads neither the loaders nor dbt, Prefect, the simulator or the report's charts."""
    tools = ("dlt", "dbt", "prefect", "meltano", "simulator", "fastapi", "plotly")
    probe = f"import sys, beejan.cli; print(sorted(set({tools!r}) & sys.modules.keys()))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
