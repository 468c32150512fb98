"""Run every code example of the docs during the build, so the docs cannot rot.

The build starts ONE standalone emulator (`python -m cni_async.testing --port 0`)
and points the examples at it through the environment a real user would set:
`CLOUDFLARE_BASE_URL`, `CLOUDFLARE_API_TOKEN` and `CLOUDFLARE_ACCOUNT_ID`. Each
page gets its own account on that emulator (`docs-<page>`), seeded with free
slots, so pages never see each other's interconnects, while the blocks of one
page run in page order and share that account's state.

What runs, per page, in document order:

- a ```` ```python ```` block: written to a file and run as a complete script
  (`python -W default block.py`) in the page's scratch directory. It fails on a
  non-zero exit, a timeout, or tell-tale stderr (a traceback, an unclosed
  session or socket, a never-awaited coroutine).
- a ```` ```console ```` block: every line starting with `$ ` is a command (a
  line ending in `\\` continues on the next), and the other lines are the output
  shown to the reader, not checked (but `exit status N` lines, printed by
  `cmd || echo "exit status $?"`, must be what the commands printed). The
  block's commands run as one bash script with `set -euo pipefail`, so any
  command exiting non-zero fails the example.
  Shell variables assigned in one console block (`SLOT=$(cni-async ...)`) are
  still set in the page's later console blocks.
- a ```` ```{code-block} python ```` with `:class: pytest` and `:caption:
  test_something.py` (or `conftest.py`): written under that file name; once the
  page has run, pytest runs over all of the page's such files.

Skipped on purpose, and only when marked: a `{code-block}` with `:class: norun`
(say why next to it). Blocks in `bash`/`sh`/`shell`/`pycon` are refused with a
warning: write `console` (executed) or mark them `norun`.

Every failure is a Sphinx warning at the page and line of the example, with the
command and the tail of its output; `sphinx-build -W` makes it fail the build.
Every page is re-read on every build (so every example re-runs), and the
emulator is stopped when the build finishes.
"""

from __future__ import annotations

import atexit
import os
import queue
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

TOKEN = "docs-build-token"  # noqa: S105 - the only token the build's emulator accepts
_READY = re.compile(r"CNI emulator serving at (http://\S+/client/v4)\s*$")
_SKIP = "norun"
_PYTEST = "pytest"
_REFUSED = frozenset({"bash", "sh", "shell", "shell-session", "pycon", "py", "python3", "ipython"})
_STDERR_FAILURES = (
    "Traceback (most recent call last)",
    "Exception ignored",
    "ResourceWarning",
    "Unclosed",
    "was never awaited",
    "Task was destroyed",
)
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=")
_EXIT_STATUS = re.compile(r"exit status \d+")
_CREDENTIAL_VARIABLES = (
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_USER_SERVICE_KEY",
    "CLOUDFLARE_ACCOUNT_ID",
    "CLOUDFLARE_BASE_URL",
)
_OUTPUT_TAIL = 40  # lines of output quoted in a failure


@dataclass
class _Run:
    """The build-wide state: the emulator, the scratch space and the counts."""

    process: subprocess.Popen[str] | None = None
    base_url: str = ""
    scratch: Path = field(default_factory=Path)
    bin_dir: Path | None = None
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("python", "console", "pytest", "skipped", "docstring", "pages"), 0
        )
    )
    failures: int = 0


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the configuration values and the build events."""
    app.add_config_value("run_examples", default=True, rebuild="env", types=(bool,))
    app.add_config_value("run_examples_timeout", default=60.0, rebuild="env", types=(float, int))
    app.add_config_value("run_examples_status_polls", default=1, rebuild="env", types=(int,))
    # `-D run_examples_show_output=1` logs what each example printed, to paste as its output.
    app.add_config_value("run_examples_show_output", default=False, rebuild="", types=(bool,))
    app.connect("builder-inited", _start)
    app.connect("env-get-outdated", _every_page)
    app.connect("doctree-read", _run_page)
    app.connect("build-finished", _finish)
    # One emulator and ordered per-page state: pages are read one at a time.
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}


# --- the emulator ---------------------------------------------------------------------------


def _start(app: Sphinx) -> None:
    state = _Run()
    app.run_examples_state = state  # type: ignore[attr-defined]
    if not app.config.run_examples:
        return
    state.scratch = Path(tempfile.mkdtemp(prefix="cni-docs-"))
    state.bin_dir = _tool_dir(state.scratch)
    command = [
        sys.executable,
        "-m",
        "cni_async.testing",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--token",
        TOKEN,
        "--status-polls",
        str(app.config.run_examples_status_polls),
    ]
    state.process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    atexit.register(_stop, state)  # also on a crash between here and build-finished
    line = _first_line(state.process, timeout=30.0)
    ready = _READY.match(line or "")
    if ready is None:
        _stop(state)
        logger.warning(
            "run_examples: the emulator did not start (first line %r); no example was run",
            line,
            type="run_examples",
        )
        return
    state.base_url = ready.group(1)
    logger.info("run_examples: emulator serving at %s", state.base_url)


def _first_line(process: subprocess.Popen[str], timeout: float) -> str | None:
    lines: queue.Queue[str] = queue.Queue()
    stream = process.stdout
    if stream is None:  # pragma: no cover - stdout is a pipe
        return None
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


def _stop(state: _Run) -> None:
    process, state.process = state.process, None
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process is not None and process.stdout is not None:
        process.stdout.close()


def _finish(app: Sphinx, exception: BaseException | None) -> None:
    state: _Run = app.run_examples_state  # type: ignore[attr-defined]
    _stop(state)
    if state.scratch != Path() and state.scratch.exists():
        shutil.rmtree(state.scratch, ignore_errors=True)
    if exception is None and app.config.run_examples:
        counts = state.counts
        logger.info(
            "run_examples: %d python blocks, %d console commands and %d pytest runs on "
            "%d pages; not run: %d blocks marked norun and %d docstring snippets; %d failed",
            counts["python"],
            counts["console"],
            counts["pytest"],
            counts["pages"],
            counts["skipped"],
            counts["docstring"],
            state.failures,
        )


def _every_page(app: Sphinx, env: Any, added: set[str], changed: set[str], *_: object) -> list[str]:
    """Re-read every page on every build, so every example runs every time."""
    return sorted(env.found_docs - added - changed) if app.config.run_examples else []


def _tool_dir(scratch: Path) -> Path:
    """A directory put first on PATH, holding a stand-in `jq` if the machine has none.

    The directory of this interpreter comes next, so `python` and `cni-async` are the build's.
    """
    tools = scratch / "bin"
    tools.mkdir()
    if shutil.which("jq") is None:
        jq = tools / "jq"
        jq.write_text(f"#!{sys.executable}\n{_JQ_SHIM}")
        jq.chmod(0o755)
    return tools


# A stand-in for the few jq filters the docs use (`jq -r .id`), for machines without jq.
_JQ_SHIM = textwrap.dedent(
    '''
    """Minimal jq: `jq [-r] [-c] .a.b` over JSON values, one per line."""
    import json, re, sys
    args = sys.argv[1:]
    raw = "-r" in args
    filters = [a for a in args if not a.startswith("-")]
    path = filters[0] if filters else "."
    if not re.fullmatch(r"\\.|(\\.[A-Za-z_][A-Za-z0-9_]*|\\[[0-9]+\\])+", path):
        sys.exit(f"jq stand-in: unsupported filter {path!r}; install jq")
    keys = [k.strip(".[]") for k in re.findall(r"\\.[A-Za-z_][A-Za-z0-9_]*|\\[[0-9]+\\]", path)]
    for line in sys.stdin:
        if not line.strip():
            continue
        value = json.loads(line)
        for key in keys:
            if key.isdigit():
                ok = isinstance(value, list) and int(key) < len(value)
                value = value[int(key)] if ok else None
            else:
                value = value.get(key) if isinstance(value, dict) else None
        if raw and isinstance(value, str):
            print(value)
        elif "-c" in args:
            print(json.dumps(value, separators=(",", ":")))
        else:
            print(json.dumps(value, indent=2))
    '''
)


# --- one page ---------------------------------------------------------------------------------


@dataclass
class _Page:
    """What the examples of one page share."""

    docname: str
    source: Path
    lines: list[str]
    workdir: Path
    env: dict[str, str]
    shell_state: Path
    show_output: bool = False
    pytest_files: list[tuple[nodes.literal_block, Path]] = field(default_factory=list)


def _run_page(app: Sphinx, doctree: nodes.document) -> None:
    state: _Run = app.run_examples_state  # type: ignore[attr-defined]
    if not app.config.run_examples:
        return
    docname = app.env.docname
    blocks = [node for node in doctree.findall(nodes.literal_block) if _language(node)]
    runnable = [node for node in blocks if _wants_run(node, docname, state)]
    for node in blocks:
        if _SKIP in node["classes"]:
            from_docstring = "docstring of" in str(node.source or "")
            state.counts["docstring" if from_docstring else "skipped"] += 1
    if not runnable:
        return
    if not state.base_url:
        return  # the emulator did not start; already reported
    state.counts["pages"] += 1
    page = _new_page(app, state, docname)
    timeout = float(app.config.run_examples_timeout)
    for node in runnable:
        if _PYTEST in node["classes"]:
            _save_pytest_file(page, node, state)
        elif _language(node) == "python":
            state.counts["python"] += 1
            _run_python(page, node, timeout, state)
        else:
            _run_console(page, node, timeout, state)
    if page.pytest_files:
        state.counts["pytest"] += 1
        _run_pytest(page, timeout, state)


def _language(node: nodes.literal_block) -> str:
    return str(node.get("language") or "")


def _wants_run(node: nodes.literal_block, docname: str, state: _Run) -> bool:
    language = _language(node)
    if _SKIP in node["classes"]:
        return False
    if language in _REFUSED:
        state.failures += 1
        _warn(
            node,
            docname,
            f"a {language!r} block is neither run nor marked: write it as `python` or "
            "`console` (both are executed), or give it `:class: norun`",
        )
        return False
    return language in {"python", "console"}


def _new_page(app: Sphinx, state: _Run, docname: str) -> _Page:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", docname).strip("-")
    workdir = state.scratch / slug
    workdir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in _CREDENTIAL_VARIABLES}
    env.update(
        CLOUDFLARE_BASE_URL=state.base_url,
        CLOUDFLARE_API_TOKEN=TOKEN,
        CLOUDFLARE_ACCOUNT_ID=f"docs-{slug}",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        COLUMNS="100",
    )
    bin_dirs = [str(state.bin_dir), str(Path(sys.executable).parent)]
    env["PATH"] = os.pathsep.join([*bin_dirs, env.get("PATH", "")])
    source = Path(app.env.doc2path(docname))
    return _Page(
        docname=docname,
        source=source,
        lines=source.read_text(encoding="utf-8").splitlines(),
        workdir=workdir,
        env=env,
        shell_state=workdir / ".shell-variables",
        show_output=bool(app.config.run_examples_show_output),
    )


def _first_code_line(page: _Page, node: nodes.literal_block) -> int:
    """The 1-based line of the page where the block's code starts (for failure reports)."""
    start = node.line or 1
    first = next((line for line in node.astext().splitlines() if line.strip()), "")
    for index in range(start - 1, min(len(page.lines), start + 40)):
        if first and page.lines[index].strip() == first.strip():
            return index + 1
    return start


def _run_python(page: _Page, node: nodes.literal_block, timeout: float, state: _Run) -> None:
    line = _first_code_line(page, node)
    script = page.workdir / f"example_line_{line}.py"
    script.write_text(node.astext(), encoding="utf-8")
    command = [sys.executable, "-W", "default", script.name]
    result = _execute(command, page, timeout)
    problem = _problem(result, check_stderr=True)
    if problem:
        state.failures += 1
        # Tracebacks name the page and its lines, not the scratch file.
        result.stderr = re.sub(
            rf'File "[^"]*{re.escape(script.name)}", line (\d+)',
            lambda m: f'File "{page.source}", line {line + int(m.group(1)) - 1}',
            result.stderr,
        )
        _warn(node, page.docname, f"this python example {problem}\n{_report(result)}", line=line)


def _console_commands(node: nodes.literal_block, first_line: int) -> list[tuple[int, str]]:
    """The `$ ` commands of a console block with their page lines; `\\` continues a line."""
    commands: list[tuple[int, str]] = []
    pending: list[str] | None = None
    for index, text in enumerate(node.astext().splitlines()):
        if pending is not None:
            pending.append(text)
        elif text.startswith("$ "):
            commands.append((first_line + index, ""))
            pending = [text[2:]]
        else:
            continue
        if not text.endswith("\\"):
            commands[-1] = (commands[-1][0], "\n".join(pending))
            pending = None
    if pending is not None:
        commands[-1] = (commands[-1][0], "\n".join(pending))
    return commands


def _run_console(page: _Page, node: nodes.literal_block, timeout: float, state: _Run) -> None:
    first_line = _first_code_line(page, node)
    commands = _console_commands(node, first_line)
    if not commands:
        _warn(node, page.docname, "a console block without a `$ ` command", line=first_line)
        return
    state.counts["console"] += len(commands)
    names = sorted({m.group(1) for _, c in commands if (m := _ASSIGNMENT.match(c))})
    saved = shlex.quote(str(page.shell_state))
    script = [
        "set -euo pipefail",
        f"if [ -f {saved} ]; then source {saved}; fi",
        "trap 'echo \"@@docs-line $__docs_line\" >&2' ERR",
    ]
    for line, command in commands:
        script += [f"__docs_line={line}", command]
    if names:
        script.append(f"declare -p {' '.join(names)} >> {saved}")
    result = _execute(["bash", "-c", "\n".join(script)], page, timeout)
    problem = _problem(result, check_stderr=False) or _exit_statuses_differ(node, result)
    if problem:
        state.failures += 1
        failed = re.findall(r"@@docs-line (\d+)", result.stderr)
        line = int(failed[-1]) if failed else first_line
        command = dict(commands).get(line, "")
        result.stderr = re.sub(r"@@docs-line \d+\n?", "", result.stderr)
        _warn(
            node,
            page.docname,
            f"this console command {problem}:\n  $ {command}\n{_report(result)}",
            line=line,
        )


def _save_pytest_file(page: _Page, node: nodes.literal_block, state: _Run) -> None:
    caption = _caption(node)
    if not re.fullmatch(r"(test_\w+|conftest)\.py", caption or ""):
        state.failures += 1
        _warn(
            node,
            page.docname,
            "a `pytest` block needs `:caption:` naming its file: test_*.py or conftest.py",
        )
        return
    folder = page.workdir / "pytest"
    folder.mkdir(exist_ok=True)
    path = folder / str(caption)
    path.write_text(node.astext() + "\n", encoding="utf-8")
    page.pytest_files.append((node, path))


def _caption(node: nodes.literal_block) -> str | None:
    parent = node.parent
    if isinstance(parent, nodes.container) and "literal-block-wrapper" in parent["classes"]:
        for child in parent.children:
            if isinstance(child, nodes.caption):
                return child.astext().strip()
    return None


def _run_pytest(page: _Page, timeout: float, state: _Run) -> None:
    folder = page.workdir / "pytest"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(folder),
        str(folder),
    ]
    result = _execute(command, page, timeout)
    problem = _problem(result, check_stderr=False)
    if problem:
        state.failures += 1
        node, _ = page.pytest_files[0]
        _warn(
            node, page.docname, f"pytest over this page's test files {problem}\n{_report(result)}"
        )


# --- running and reporting ---------------------------------------------------------------------


@dataclass
class _Result:
    returncode: int | None  # None: timed out
    stdout: str
    stderr: str
    seconds: float


def _execute(command: list[str], page: _Page, timeout: float) -> _Result:
    started = time.monotonic()
    result = _execute_once(command, page, timeout, started)
    if page.show_output:
        logger.info(
            "--- %s (%.1f s)\n%s%s", page.docname, result.seconds, result.stdout, result.stderr
        )
    return result


def _execute_once(command: list[str], page: _Page, timeout: float, started: float) -> _Result:
    try:
        done = subprocess.run(  # noqa: S603 - the docs' own examples, on purpose
            command,
            cwd=page.workdir,
            env=page.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return _Result(None, _text(exc.stdout), _text(exc.stderr), time.monotonic() - started)
    return _Result(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def _text(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value or ""


def _exit_statuses_differ(node: nodes.literal_block, result: _Result) -> str:
    """The `exit status N` lines a block shows (from `|| echo "exit status $?"`) must be
    what the commands really printed, so a page cannot promise a stale exit status."""
    shown = [line for line in node.astext().splitlines() if _EXIT_STATUS.fullmatch(line)]
    printed = [line for line in result.stdout.splitlines() if _EXIT_STATUS.fullmatch(line)]
    if shown != printed:
        return f"printed exit statuses {printed} where the page shows {shown}"
    return ""


def _problem(result: _Result, *, check_stderr: bool) -> str:
    if result.returncode is None:
        return f"did not finish within {result.seconds:.0f} s"
    if result.returncode != 0:
        return f"exited with status {result.returncode}"
    if check_stderr:
        for marker in _STDERR_FAILURES:
            if marker in result.stderr:
                return f"succeeded but wrote {marker!r} to stderr"
    return ""


def _report(result: _Result) -> str:
    parts = []
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        lines = text.rstrip().splitlines()
        if lines:
            tail = lines[-_OUTPUT_TAIL:]
            more = f" (last {_OUTPUT_TAIL} lines)" if len(lines) > _OUTPUT_TAIL else ""
            parts.append(f"--- {name}{more}:\n" + "\n".join(tail))
    return "\n".join(parts) or "(no output)"


def _warn(
    node: nodes.literal_block,
    docname: str,
    message: str,
    *,
    line: int | None = None,
) -> None:
    """A warning at the page and line of the example; -W turns it into a failed build."""
    logger.warning(
        "%s",
        message,
        location=(docname, line or node.line),
        type="run_examples",
    )
