"""Developer tasks. `nox` alone runs what CI runs: lint, typing, tests, conformance, docs."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typing", "tests", "conformance", "docs"]

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


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmark (a report, not a test): cni_async vs bare aiohttp and the official SDK."""
    session.install(".", "cloudflare[aiohttp]")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def build(session: nox.Session) -> None:
    """Build the sdist and wheel, then check what the wheel ships."""
    session.install("build>=1", "twine>=5")
    dist = ROOT / "dist"
    for old in dist.glob("*"):
        old.unlink()
    session.run("python", "-m", "build", "--outdir", str(dist))
    session.run("twine", "check", "--strict", *map(str, dist.glob("*")))
    (wheel,) = dist.glob("*.whl")
    _check_wheel(wheel)
    session.log(f"{wheel.name}: only cni_async, py.typed present, cni-async script declared")


def _check_wheel(wheel: Path) -> None:
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    packages = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    if packages != {"cni_async"}:
        raise RuntimeError(f"the wheel ships more than cni_async: {sorted(packages)}")
    if "cni_async/py.typed" not in names:
        raise RuntimeError("the wheel lacks cni_async/py.typed")
    if "cni-async = cni_async._cli:main" not in scripts:
        raise RuntimeError(f"the console script is not declared: {scripts!r}")


@nox.session
def conformance(session: nox.Session) -> None:
    """The SDK against a prism mock of Cloudflare's OpenAPI document; SDK and emulator vs it."""
    session.install("-e", ".[test]", "jsonschema>=4.18")
    prefix = ROOT / ".nox" / "prism"
    session.run(
        "npm",
        "install",
        "--no-audit",
        "--no-fund",
        "--prefix",
        str(prefix),
        "@stoplight/prism-cli@5.14.2",
        external=True,
        silent=True,
    )
    env = {
        "PRISM_BIN": str(prefix / "node_modules" / ".bin" / "prism"),
        "CNI_OPENAPI": os.environ.get("CNI_OPENAPI", ""),
        "CNI_OPENAPI_REQUIRED": "1",  # a missing document fails here, never skips
    }
    session.run(
        "pytest",
        "tests/conformance",
        "tests/emulator/test_emu_schema.py",
        *session.posargs,
        env=env,
    )


@nox.session
def docs(session: nox.Session) -> None:
    """The docs, warnings as errors; every example in them runs against the emulator."""
    session.install("-e", ".[test]", "sphinx>=7", "myst-parser>=2", "furo", "cloudflare>=4.3")
    session.run(
        "sphinx-build", "-W", "--keep-going", "-n", "-b", "html", "docs", "docs/_build/html"
    )
    session.run("pytest", "tests/docs", "-p", "no:cacheprovider")
