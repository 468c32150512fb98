"""Sphinx configuration of the cni-async docs.

Build: `nox -s docs`, i.e. `sphinx-build -W --keep-going -n -b html docs docs/_build/html`.
Every python and console example is executed against an emulator during the build:
see `_ext/run_examples.py` and `README.md` beside this file.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import cni_async
import cni_async.events
import cni_async.testing
from cni_async._resources.cnis import CnisResource
from cni_async._resources.interconnects import InterconnectsResource
from cni_async._resources.settings import SettingsResource
from cni_async._resources.slots import SlotsResource

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "cni-async"
author = "cni-async developers"
copyright = "cni-async developers"
release = version = cni_async.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "run_examples",
]
exclude_patterns = ["_build", "README.md"]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"cni-async {release}"

# --- the API reference ------------------------------------------------------------------------
#
# Only the names in `cni_async.__all__` and `cni_async.testing.__all__` are documented, under
# their public names (`cni_async.Client`, never `cni_async._client.Client`); `_check_reference`
# below fails the build when one is missing or when a private path shows up.

autodoc_member_order = "bysource"
# Types in the signature, one parameter per line when long. (In "description" mode autodoc
# also lists the constructor parameters of classes users never build, such as `Paginator`'s
# internal `fetch`; an explicit `.. autoclass:: cni_async.Paginator()` hides them only here.)
autodoc_typehints = "signature"
python_maximum_signature_line_length = 88
python_use_unqualified_type_names = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True  # "Attributes:" as fields, not duplicate attribute objects
# The docstrings are written Markdown-style: `name` is code, not a cross-reference.
default_role = "literal"

nitpicky = True
# Types from outside this project: no intersphinx (the docs build never goes online),
# so these stay plain text instead of links.
nitpick_ignore_regex = [
    ("py:class", r"aiohttp\..*"),
    ("py:class", r"collections\.abc\..*"),
    ("py:class", r"multidict\..*"),
    ("py:class", r"types\..*"),
    ("py:class", r"typing_extensions\..*"),
    ("py:class", r"_?ssl\.SSLContext"),  # the stdlib's; `ssl` is imported as `_ssl` for typing
    ("py:class", r"opentelemetry\..*"),
    # TypeVars of the generic classes (Paginator[T], Page[T], batch's X and R).
    ("py:class", r"(cni_async\.[\w.]+\.)?[TXR]"),
    # Names imported under `if TYPE_CHECKING` or used as string annotations, which autodoc
    # cannot qualify: aiohttp's ClientSession, and the hook signatures of `Client`
    # (callables taking a RetryEvent, RequestEvent or ResponseEvent, all documented).
    # OpenTelemetry's providers of the `otel` extra, too.
    ("py:class", r"ClientSession|RetryHook|RequestHook|ResponseHook"),
    ("py:class", r"TracerProvider|MeterProvider"),
]

# `cf.interconnects` & co. are instance attributes set by `Client.__init__`, so autodoc has
# no import path to their methods. In this (docs-only) process the resource classes are
# also put on the class, so `.. automethod:: cni_async.Client.interconnects.list` works
# and the methods are documented where users call them. The package itself is untouched.
for _name, _resource in (
    ("interconnects", InterconnectsResource),
    ("cnis", CnisResource),
    ("slots", SlotsResource),
    ("settings", SettingsResource),
):
    setattr(cni_async.Client, _name, _resource)

_PUBLIC = {
    "cni_async": set(cni_async.__all__),
    "cni_async.events": set(cni_async.events.__all__),
    "cni_async.testing": set(cni_async.testing.__all__),
}
_PRIVATE_PATH = re.compile(r"^(cni_async(?:\.testing|\.events)?)\.(?:_\w+\.)+(\w+)((?:\.\w+)*)$")


def _public_target(target: str) -> str | None:
    """`cni_async._models.Page` -> `cni_async.Page`, when `Page` is public there."""
    match = _PRIVATE_PATH.match(target)
    if match is None:
        return None
    package, name, rest = match.groups()
    for candidate in (package, "cni_async", "cni_async.events", "cni_async.testing"):
        if name in _PUBLIC[candidate]:
            return f"{candidate}.{name}{rest}"
    return None


def _resolve_private(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """Point a type annotation's private path (`cni_async._models.Slot`) at the public name.

    Annotations are resolved where a class is defined, so autodoc writes the defining
    module's path; the object is documented under its public name, which this finds.
    """
    if node.get("refdomain") != "py":
        return None
    target = _public_target(node.get("reftarget", ""))
    if target is None:
        return None
    domain = env.get_domain("py")
    node["reftarget"] = target
    return domain.resolve_xref(
        env, node.get("refdoc", ""), app.builder, node["reftype"], target, node, contnode
    )


_FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
_SINGLE_BACKTICKS = re.compile(r"(?<![`\\])`([^`\n]+)`(?![`_])")


def _markdown_to_rst(  # noqa: PLR0917 - the signature of Sphinx's event
    app: Any,  # noqa: ARG001
    what: str,
    name: str,  # noqa: ARG001
    obj: object,  # noqa: ARG001
    options: Any,  # noqa: ARG001
    lines: list[str],
) -> None:
    """Read the Markdown of the docstrings, before napoleon reads their sections.

    Fences become reST code blocks marked `norun`: docstring snippets are fragments
    (no imports, no `asyncio.run`, names of objects that do not exist); the guides
    run complete programs that make the same calls. A `span` becomes a ``literal``
    (reST would read `http://...` as a link, and `'***'` as unclosed emphasis).
    Last, napoleon must not read a property's "text (None: no bound)" as "type: text".
    """
    out: list[str] = []
    inside: str | None = None
    for line in lines:
        fence = _FENCE.match(line)
        if fence and inside is None:
            inside = fence.group(1)
            language = fence.group(2) or "text"
            out += [f"{inside}.. code-block:: {language}", f"{inside}   :class: norun", ""]
        elif fence:
            out.append("")
            inside = None
        elif inside is not None:
            out.append(f"{inside}   {line[len(inside) :]}" if line.strip() else "")
        else:
            literal = _SINGLE_BACKTICKS.sub(r"``\1``", line)
            out.append(literal.replace("'***'", "``'***'``"))
    if what == "property" and out and ": " in out[0]:
        out[0] = out[0].replace(": ", " \u2014 ")
    lines[:] = out


def _check_reference(app: Any, env: Any) -> None:
    """Every public name is documented, and nothing under a private module path is.

    autodoc also registers each class under its defining module (`:canonical:
    cni_async._models.Page`), which would publish private paths in objects.inv;
    those aliases are dropped here, and `_resolve_private` resolves annotations instead.
    """
    from sphinx.util import logging

    logger = logging.getLogger("cni_docs")
    objects = env.get_domain("py").objects
    for full_name, entry in list(objects.items()):
        if entry.aliased and _public_target(full_name) is not None:
            del objects[full_name]
    documented = set(objects)
    for package, names in _PUBLIC.items():
        for name in sorted(names):
            if f"{package}.{name}" not in documented:
                logger.warning("%s.%s is public but not in the API reference", package, name)
    for full_name in sorted(documented):
        if re.search(r"\._", full_name) and not full_name.endswith("__version__"):
            logger.warning("a private path is documented: %s", full_name)
    del app


def setup(app: Any) -> None:
    """Hook the docstring and cross-reference fixes above into the build."""
    app.connect("autodoc-process-docstring", _markdown_to_rst, priority=400)
    app.connect("missing-reference", _resolve_private)
    app.connect("env-check-consistency", _check_reference)
