"""Developer tasks. `nox` alone runs what CI runs: lint, typing, tests, conformance, docs."""

from __future__ import annotations

import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2024.4"
nox.options.default_venv_backend = "virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typing", "tests", "slow", "lowest", "conformance", "docs"]

ROOT = Path(__file__).parent
COVERAGE_FAIL_UNDER = "100"  # every exclusion is a `pragma` with its reason on the line

# Every tool a session installs, by session. `nox -s lock` pins them all (with the
# package's own dependencies) in requirements/constraints.txt, and every session
# installs through that file: a commit that was green stays green.
REQUIREMENTS = ROOT / "requirements"
CONSTRAINTS = REQUIREMENTS / "constraints.txt"
LOWEST = REQUIREMENTS / "lowest.txt"
PRISM = REQUIREMENTS / "prism"  # package.json and package-lock.json of the prism mock
LINT = ["ruff"]
TYPING = ["mypy", "pyright", "pytest", "pytest-asyncio", "opentelemetry-sdk"]
# Beside the package's own `test` extra; opentelemetry-sdk's in-memory exporter and reader
# check the `otel` extra's spans and metrics.
TESTS = ["cloudflare", "jsonschema", "trustme", "opentelemetry-sdk"]
CONFORMANCE = ["jsonschema", "schemathesis"]
DOCS = [
    "sphinx",
    "myst-parser",
    "furo",
    "cloudflare",
    # docs/services.md runs FastAPI and Starlette apps through their lifespans, in process
    "fastapi",
    "starlette",
    "httpx",
    "asgi-lifespan",
    # docs/services.md traces a call into an in-memory exporter
    "opentelemetry-api",
    "opentelemetry-sdk",
]
BENCH = ["cloudflare[aiohttp]"]
BUILD = ["build", "twine"]
LOCK = ["uv==0.13.9"]
# The runtime dependencies whose lowest declared versions the `lowest` session tests, and
# the `otel` extra's (with opentelemetry-sdk, for the tests, at the API's version).
RUNTIME = ("aiohttp", "attrs", "cattrs", "tenacity")
OTEL = "opentelemetry-api"
# The Redis tests need redis-server (apt-get install redis-server, as .ci/run does): here they
# fail when it is missing instead of skipping, so CI can never pass by not running them.
REDIS_REQUIRED = {"CNI_REDIS_REQUIRED": "1"}


def install(session: nox.Session, *packages: str, constraints: Path = CONSTRAINTS) -> None:
    """Install `packages` at the versions pinned in `constraints`."""
    session.install("-c", str(constraints), *packages)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint rules (select ALL) and formatting."""
    install(session, *LINT)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict and pyright strict over the package and the typing examples."""
    install(session, ".[redis,otel]", *TYPING)
    session.run("mypy")
    session.run("pyright")
    session.run("pyright", "--verifytypes", "cni_async", "--ignoreexternal")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite but the slow tests, under branch coverage, with the gate."""
    install(session, "-e", ".[test,redis,otel]", *TESTS)
    session.run("coverage", "erase")
    session.run(
        *("coverage", "run", "-m", "pytest", "-m", "not slow"), *session.posargs, env=REDIS_REQUIRED
    )
    session.run("coverage", "report", f"--fail-under={COVERAGE_FAIL_UNDER}")


@nox.session
def slow(session: nox.Session) -> None:
    """The slow tests (the soak, real-time queues, examples/many_workers.py on one Redis
    budget), apart so the default run stays quick."""
    install(session, "-e", ".[test,redis,otel]", *TESTS)
    session.run(
        *("pytest", "-m", "slow", "-p", "no:cacheprovider"), *session.posargs, env=REDIS_REQUIRED
    )


@nox.session
def lowest(session: nox.Session) -> None:
    """The test suite against the lowest aiohttp, attrs, cattrs, tenacity and
    opentelemetry-api pyproject allows."""
    install(session, "-e", ".[test,otel]", *TESTS, constraints=LOWEST)
    versions = session.run(
        "python",
        "-c",
        "from importlib.metadata import version as v; "
        f"print(' '.join(f'{{n}}=={{v(n)}}' for n in {(*RUNTIME, OTEL)!r}))",
        silent=True,
    )
    session.log(f"testing against {str(versions).strip()}")
    session.run("pytest", "-p", "no:cacheprovider", *session.posargs)


@nox.session
def lock(session: nox.Session) -> None:
    """Re-pin every tool (requirements/constraints.txt) and the lowest runtime set (lowest.txt).

    Run it to take newer tools, then run `nox` and commit what changed.
    """
    session.install(*LOCK)  # pinned here: the lock may not exist yet
    everything = sorted({*LINT, *TYPING, *TESTS, *CONFORMANCE, *DOCS, *BENCH, *BUILD, *LOCK})
    # The inputs are written beside the locks (generated, committed): relative paths keep
    # the locks' comments the same on every machine.
    (REQUIREMENTS / "tools.in").write_text(_GENERATED + "\n".join(everything) + "\n")
    floors = _floors()
    pinned = {floor.partition("==")[0] for floor in floors}
    lowest = [*floors, *(tool for tool in TESTS if tool not in pinned)]
    (REQUIREMENTS / "lowest.in").write_text(_GENERATED + "\n".join(lowest) + "\n")
    compile_ = [
        *("uv", "pip", "compile", "--quiet", "--universal", "--python-version", "3.10"),
        *("--custom-compile-command", "nox -s lock"),
    ]
    with session.chdir(ROOT):
        session.run(
            *compile_,
            *("--all-extras", "pyproject.toml", "requirements/tools.in"),
            *("-o", "requirements/constraints.txt"),
        )
        session.run(
            *compile_,
            *("--extra", "test", "--extra", "otel", "pyproject.toml", "requirements/lowest.in"),
            *("-o", "requirements/lowest.txt"),
        )
    session.run(
        *("npm", "install", "--package-lock-only", "--no-audit", "--no-fund"),
        *("--prefix", str(PRISM)),
        external=True,
    )


_GENERATED = "# Generated by `nox -s lock` from the lists in noxfile.py; edit those instead.\n"


def _floors() -> list[str]:
    """`name==lowest` for each runtime dependency and the `otel` extra, from pyproject's
    `name>=lowest`; opentelemetry-sdk pinned to the API's floor (it needs its own API)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["otel"]]
    floors = {}
    for requirement in declared:
        name, _, floor = requirement.partition(">=")
        floors[name.strip()] = floor.strip()
    if set(floors) != {*RUNTIME, OTEL} or not all(floors.values()):
        raise RuntimeError(f"expected a >= floor on each of {(*RUNTIME, OTEL)}, got {declared}")
    pins = [f"{name}=={floor}" for name, floor in floors.items()]
    return [*pins, f"opentelemetry-sdk=={floors[OTEL]}"]


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmark (a report, not a test): cni_async vs bare aiohttp and the official SDK."""
    install(session, ".", *BENCH)
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def bench_otel(session: nox.Session) -> None:
    """What the otel extra costs a get with no OpenTelemetry SDK set (a report, not a test)."""
    install(session, ".[otel]")
    session.run("python", "benchmarks/otel_cost.py", *session.posargs)


@nox.session
def bench_redis(session: nox.Session) -> None:
    """The shared rate limit's cost (a report, not a test): round trips, latency, 16 workers."""
    install(session, ".[redis]")
    session.run("python", "benchmarks/redis_limit.py", *session.posargs)


@nox.session
def build(session: nox.Session) -> None:
    """Build the sdist and wheel, then check what the wheel ships."""
    install(session, *BUILD)
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
    install(session, "-e", ".[test]", *CONFORMANCE)
    prefix = ROOT / ".nox" / "prism"
    prefix.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):  # prism and its tree, pinned
        shutil.copyfile(PRISM / name, prefix / name)
    session.run(
        *("npm", "ci", "--no-audit", "--no-fund", "--prefix", str(prefix)),
        external=True,
        silent=True,
    )
    env = {
        "PRISM_BIN": str(prefix / "node_modules" / ".bin" / "prism"),
        "CNI_OPENAPI_REQUIRED": "1",  # conformance can never pass by skipping
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
    install(session, "-e", ".[test,redis,otel]", *DOCS)
    session.run(
        "sphinx-build", "-W", "--keep-going", "-n", "-b", "html", "docs", "docs/_build/html"
    )
    session.run("pytest", "tests/docs", "-p", "no:cacheprovider")
