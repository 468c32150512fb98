"""Developer tasks. `nox` alone runs what CI runs: lint, typing, tests, conformance, docs."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typing", "tests"]

ROOT = Path(__file__).parent
COVERAGE_FAIL_UNDER = "95"


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint rules (select ALL) and formatting."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict and pyright strict over the package and the typing examples."""
    session.install(".", "mypy>=1.10", "pyright>=1.1.380", "pytest", "pytest-asyncio")
    session.run("mypy")
    session.run("pyright")
    session.run("pyright", "--verifytypes", "cni_async", "--ignoreexternal")


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite under branch coverage, with the gate."""
    session.install("-e", ".[test]", "cloudflare>=4.3", "jsonschema>=4")
    env = {"CNI_OPENAPI": os.environ.get("CNI_OPENAPI", "")}
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", *session.posargs, env=env)
    session.run("coverage", "report", f"--fail-under={COVERAGE_FAIL_UNDER}")
