"""Run every code example of the docs during the build, and check what it printed.

Examples run as a reader would run them: in a fresh temporary folder outside the
repository, with every `CLOUDFLARE_*` variable removed from the environment. So an
example brings what it needs in plain sight: a python example starts its own
emulator (`async with Emulator() as emu, emu.client() as cf:`), a console session
starts one in the background (`$ cni-async emulator --port 8787 --demo &`) and
exports the variables pointing at it.

What runs, per page, in document order:

- a ```` ```python ```` block: written to a file and run as a complete script
  (`python -W default block.py`) in the page's folder, from the page's shell (so
  with the variables its console blocks exported before it). It fails on a
  non-zero exit, a timeout, or tell-tale output (a traceback, an unclosed session
  or socket, a never-awaited coroutine).
- a ```` ```console ```` block: every line starting with `$ ` is a command (a
  line ending in `\\` continues on the next), and the lines after it, up to the
  next command, are its output. The commands run in bash with `set -euo
  pipefail`, so any command exiting non-zero fails the example (show a failing
  one as `cmd || echo "exit status $?"`). Shell variables assigned in one console
  block (`SLOT=$(cni-async ...)`, `export X=...`) are still set in the page's
  later console blocks. A command ending in ` &` runs in the background until the
  page is done: the runner waits until it has printed the output the page shows
  for it (a server's "serving at" line), then goes on.
- a ```` ```{code-block} python ```` with `:class: pytest` and `:caption:
  test_something.py` (or `conftest.py`): written under that file name; once the
  page has run, pytest runs over all of the page's such files, in a folder with no
  configuration (so pytest-asyncio is in its default strict mode).

Shown output is checked. A console command's output lines, and a ```` ```text ````
block directly after a python or console example (the output of the script, or
of the console block's last command), must be what the example printed (stdout
and stderr together, as a terminal shows them; trailing spaces ignored). `...`
inside a line matches any text (a cf-ray id, a timing), and a line holding only
`...` matches any number of lines. So a page cannot drift from what the code does.

Skipped on purpose, and only when marked: a `{code-block}` with `:class: norun`
(say why next to it). Blocks in `bash`/`sh`/`shell`/`pycon` are refused with a
warning: write `console` (executed) or mark them `norun`.

Every failure is a Sphinx warning at the page and line of the example, with the
command and the tail of its output; `sphinx-build -W` makes it fail the build.
Every page is re-read on every build, so every example runs every time.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

_SKIP = "norun"
_PYTEST = "pytest"
_OUTPUT_LANGUAGE = "text"
_REFUSED = frozenset({"bash", "sh", "shell", "shell-session", "pycon", "py", "python3", "ipython"})
_OUTPUT_FAILURES = (
    "Traceback (most recent call last)",
    "Exception ignored",
    "ResourceWarning",
    "Unclosed",
    "was never awaited",
    "Task was destroyed",
)
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=")
_MARKER = "@@docs-command"
_FAILED = "@@docs-failed"
_ANY = "..."
_OUTPUT_TAIL = 40  # lines of output quoted in a failure
_STOP_SECONDS = 10.0  # for a background command to exit once the page is done


@dataclass
class _Run:
    """The build-wide state: the scratch space and the counts."""

    scratch: Path = field(default_factory=Path)
    bin_dir: Path | None = None
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("python", "console", "pytest", "outputs", "skipped", "docstring", "pages"), 0
        )
    )
    failures: int = 0


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the configuration values and the build events."""
    app.add_config_value("run_examples", default=True, rebuild="env", types=(bool,))
    app.add_config_value("run_examples_timeout", default=60.0, rebuild="env", types=(float, int))
    # `-D run_examples_show_output=1` logs what each example printed, to paste as its output.
    app.add_config_value("run_examples_show_output", default=False, rebuild="", types=(bool,))
    app.connect("builder-inited", _start)
    app.connect("env-get-outdated", _every_page)
    app.connect("doctree-read", _run_page)
    app.connect("build-finished", _finish)
    # Ordered per-page state, and ports that pages' background servers reuse: one at a time.
    return {"version": "2", "parallel_read_safe": False, "parallel_write_safe": True}


# --- the build --------------------------------------------------------------------------------


def _start(app: Sphinx) -> None:
    state = _Run()
    app.run_examples_state = state  # type: ignore[attr-defined]
    if not app.config.run_examples:
        return
    state.scratch = Path(tempfile.mkdtemp(prefix="cni-docs-"))
    state.bin_dir = _tool_dir(state.scratch)


def _finish(app: Sphinx, exception: BaseException | None) -> None:
    state: _Run = app.run_examples_state  # type: ignore[attr-defined]
    if state.scratch != Path() and state.scratch.exists():
        shutil.rmtree(state.scratch, ignore_errors=True)
    if exception is None and app.config.run_examples:
        counts = state.counts
        logger.info(
            "run_examples: %d python blocks, %d console commands and %d pytest runs on "
            "%d pages, %d outputs checked; not run: %d blocks marked norun and %d docstring "
            "snippets; %d failed",
            counts["python"],
            counts["console"],
            counts["pytest"],
            counts["pages"],
            counts["outputs"],
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
    background: list[subprocess.Popen[bytes]] = field(default_factory=list)


@dataclass
class _Command:
    """One `$ ` command of a console block: its page line, text and shown output."""

    line: int
    text: str
    shown: list[str] = field(default_factory=list)

    @property
    def background(self) -> bool:
        return self.text.rstrip().endswith("&") and not self.text.rstrip().endswith("&&")


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
    state.counts["pages"] += 1
    page = _new_page(app, state, docname)
    timeout = float(app.config.run_examples_timeout)
    try:
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
    finally:
        _stop_background(page)


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
    # Nothing of the build's own Cloudflare settings reaches an example.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1", COLUMNS="80")
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


def _shown_after(node: nodes.literal_block) -> list[str] | None:
    """The lines of a ```text block directly after `node`: the output it shows, if any."""
    following = node.next_node(descend=False, siblings=True, ascend=False)
    if isinstance(following, nodes.literal_block) and _language(following) == _OUTPUT_LANGUAGE:
        return following.astext().splitlines()
    return None


# --- python -----------------------------------------------------------------------------------


def _run_python(page: _Page, node: nodes.literal_block, timeout: float, state: _Run) -> None:
    line = _first_code_line(page, node)
    script = page.workdir / f"example_line_{line}.py"
    script.write_text(node.astext(), encoding="utf-8")
    # Run from the page's shell, as a reader runs `python example.py` in the terminal where
    # the page's console blocks exported their variables (`export CLOUDFLARE_BASE_URL=...`).
    saved = shlex.quote(str(page.shell_state))
    python = shlex.join([sys.executable, "-W", "default", script.name])
    command = f"if [ -f {saved} ]; then source {saved}; fi\nexec {python}"
    result = _execute(["bash", "-c", command], page, timeout)
    problem = _problem(result, check_output=True)
    shown = _shown_after(node)
    if not problem and shown is not None:
        state.counts["outputs"] += 1
        problem = _output_differs(shown, result.output)
    if problem:
        state.failures += 1
        # Tracebacks name the page and its lines, not the scratch file.
        result.output = re.sub(
            rf'File "[^"]*{re.escape(script.name)}", line (\d+)',
            lambda m: f'File "{page.source}", line {line + int(m.group(1)) - 1}',
            result.output,
        )
        _warn(node, page.docname, f"this python example {problem}\n{_report(result)}", line=line)


# --- console ----------------------------------------------------------------------------------


def _console_commands(node: nodes.literal_block, first_line: int) -> list[_Command]:
    """The `$ ` commands of a console block with their page lines and shown output."""
    commands: list[_Command] = []
    pending: list[str] | None = None
    for index, text in enumerate(node.astext().splitlines()):
        if pending is not None:
            pending.append(text)
        elif text.startswith("$ "):
            commands.append(_Command(first_line + index, ""))
            pending = [text[2:]]
        elif commands:
            commands[-1].shown.append(text)
            continue
        else:
            continue
        if not text.endswith("\\"):
            commands[-1].text = "\n".join(pending)
            pending = None
    if pending is not None:
        commands[-1].text = "\n".join(pending)
    return commands


def _run_console(page: _Page, node: nodes.literal_block, timeout: float, state: _Run) -> None:
    first_line = _first_code_line(page, node)
    commands = _console_commands(node, first_line)
    if not commands:
        state.failures += 1
        _warn(node, page.docname, "a console block without a `$ ` command", line=first_line)
        return
    shown_after = _shown_after(node)
    if shown_after is not None:
        commands[-1].shown += shown_after
    state.counts["console"] += len(commands)
    # Foreground commands run together in one bash (one block, one shell), background ones alone.
    batch: list[_Command] = []
    for command in [*commands, None]:
        if command is not None and not command.background:
            batch.append(command)
            continue
        if batch and not _run_foreground(page, node, batch, timeout, state):
            return
        batch = []
        if command is not None and not _start_background(page, node, command, timeout, state):
            return


def _run_foreground(
    page: _Page, node: nodes.literal_block, commands: list[_Command], timeout: float, state: _Run
) -> bool:
    names = sorted({m.group(1) for c in commands if (m := _ASSIGNMENT.match(c.text))})
    saved = shlex.quote(str(page.shell_state))
    script = [
        "exec 2>&1",  # a terminal shows both streams, in order
        "set -euo pipefail",
        f"if [ -f {saved} ]; then source {saved}; fi",
        f"trap 'echo {_FAILED} $__docs_line' ERR",
    ]
    for command in commands:
        script += [f"__docs_line={command.line}", f"echo {_MARKER} {command.line}", command.text]
    if names:
        script.append(f"declare -p {' '.join(names)} >> {saved}")
    result = _execute(["bash", "-c", "\n".join(script)], page, timeout)
    outputs = _split_outputs(result.output)
    failed = re.findall(rf"^{_FAILED} (\d+)$", result.output, flags=re.MULTILINE)
    problem = _problem(result, check_output=False)
    culprit = next((c for c in commands if failed and c.line == int(failed[-1])), commands[-1])
    if not problem:
        for command in commands:
            state.counts["outputs"] += 1
            problem = _output_differs(command.shown, outputs.get(command.line, ""))
            if problem:
                culprit = command
                break
    if problem:
        state.failures += 1
        result.output = outputs.get(culprit.line, result.output)
        title, _, detail = problem.partition("\n")
        _warn(
            node,
            page.docname,
            f"this console command {title}\n  $ {culprit.text}\n{detail}\n{_report(result)}",
            line=culprit.line,
        )
        return False
    return True


def _split_outputs(output: str) -> dict[int, str]:
    """What each command printed, by page line, from the markers echoed before each one."""
    outputs: dict[int, str] = {}
    line: int | None = None
    for text in output.splitlines(keepends=True):
        marker = re.fullmatch(rf"{_MARKER} (\d+)\n?", text)
        if marker is not None:
            line = int(marker.group(1))
            outputs[line] = ""
        elif line is not None and not text.startswith(_FAILED):
            outputs[line] += text
    return outputs


def _start_background(
    page: _Page, node: nodes.literal_block, command: _Command, timeout: float, state: _Run
) -> bool:
    """Start `command` for the rest of the page; wait until it has printed what is shown."""
    log = page.workdir / f"background_line_{command.line}.log"
    saved = shlex.quote(str(page.shell_state))
    text = command.text.rstrip()[:-1].rstrip()
    script = f"if [ -f {saved} ]; then source {saved}; fi\nexec {text}"
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - the docs' own examples, on purpose
            ["bash", "-c", script],  # noqa: S607 - bash from PATH, as a reader runs it
            cwd=page.workdir,
            env=page.env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped with the page
        )
    page.background.append(process)
    state.counts["outputs"] += 1
    expected = [*command.shown, _ANY]  # it goes on printing; what is shown comes first
    started = time.monotonic()
    while True:
        printed = log.read_text(encoding="utf-8", errors="replace")
        if not _output_differs(expected, printed):
            return True
        exited = process.poll()
        if exited is not None or time.monotonic() - started > timeout:
            how = f"exited with status {exited}" if exited is not None else "timed out"
            problem = f"{how} before printing what the page shows"
            result = _Result(exited, printed, time.monotonic() - started)
            state.failures += 1
            _warn(
                node,
                page.docname,
                f"this background command {problem}:\n  $ {command.text}\n{_report(result)}",
                line=command.line,
            )
            return False
        time.sleep(0.05)


def _stop_background(page: _Page) -> None:
    """Stop the page's background commands (their whole process groups) and wait for them."""
    for process in page.background:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    page.background.clear()


# --- pytest -----------------------------------------------------------------------------------


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
    # No configuration file in the folder: pytest-asyncio runs in its default strict mode,
    # as in a project that copies these files.
    command = [
        *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"),
        *("--rootdir", str(folder), str(folder)),
    ]
    result = _execute(command, page, timeout)
    problem = _problem(result, check_output=False)
    if problem:
        state.failures += 1
        node, _ = page.pytest_files[0]
        _warn(
            node, page.docname, f"pytest over this page's test files {problem}\n{_report(result)}"
        )


# --- running, comparing and reporting ---------------------------------------------------------


@dataclass
class _Result:
    returncode: int | None  # None: timed out
    output: str  # stdout and stderr together
    seconds: float


def _execute(command: list[str], page: _Page, timeout: float) -> _Result:
    started = time.monotonic()
    try:
        done = subprocess.run(  # noqa: S603 - the docs' own examples, on purpose
            command,
            cwd=page.workdir,
            env=page.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        result = _Result(done.returncode, done.stdout, time.monotonic() - started)
    except subprocess.TimeoutExpired as exc:
        result = _Result(None, _text(exc.stdout), time.monotonic() - started)
    if page.show_output:
        logger.info("--- %s (%.1f s)\n%s", page.docname, result.seconds, result.output)
    return result


def _text(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value or ""


def _problem(result: _Result, *, check_output: bool) -> str:
    if result.returncode is None:
        return f"did not finish within {result.seconds:.0f} s"
    if result.returncode != 0:
        return f"exited with status {result.returncode}"
    if check_output:
        for marker in _OUTPUT_FAILURES:
            if marker in result.output:
                return f"succeeded but printed {marker!r}"
    return ""


def _output_pattern(shown: list[str]) -> re.Pattern[str]:
    """A regex for the shown lines: `...` in a line is any text, a `...` line any lines."""
    parts: list[str] = []
    for line in _trimmed(shown):
        if line.strip() == _ANY:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            pieces = (re.escape(piece) for piece in line.rstrip().split(_ANY))
            parts.append("[^\n]*".join(pieces) + r"[ \t]*\n")
    return re.compile("".join(parts))


def _trimmed(lines: list[str]) -> list[str]:
    """Lines without the blank ones at the end."""
    out = list(lines)
    while out and not out[-1].strip():
        out.pop()
    return out


def _output_differs(shown: list[str], printed: str) -> str:
    """'' when `printed` is what `shown` shows, else a problem with a diff."""
    actual = "".join(f"{line.rstrip()}\n" for line in _trimmed(printed.splitlines()))
    if _output_pattern(shown).fullmatch(actual):
        return ""
    printed_lines = actual.splitlines()
    # Where a shown line with `...` matches the printed line beside it, diff them as equal.
    readable = [
        printed_lines[index]
        if _ANY in line
        and index < len(printed_lines)
        and _output_pattern([line]).fullmatch(printed_lines[index] + "\n")
        else line
        for index, line in enumerate(_trimmed(shown))
    ]
    diff = difflib.unified_diff(
        readable, printed_lines, "shown on the page", "printed", lineterm="", n=2
    )
    return "printed other output than the page shows:\n" + "\n".join(diff) + "\n"


def _report(result: _Result) -> str:
    lines = result.output.rstrip().splitlines()
    if not lines:
        return "(no output)"
    tail = lines[-_OUTPUT_TAIL:]
    more = f" (last {_OUTPUT_TAIL} lines)" if len(lines) > _OUTPUT_TAIL else ""
    return f"--- output{more}:\n" + "\n".join(tail)


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
