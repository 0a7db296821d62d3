"""The layers of docs DESIGN ("Imports point down this list only"), enforced on every
import statement in src/mattran, including imports inside functions and migrations:

    core <- units <- access <- activities, funds (ledgerlog) <- figures <- reports, emulation
         <- news, portal, api, reading <- demo

An app may import apps of lower layers and, in its own layer, a sibling, as long as
the app graph stays free of cycles. A lower layer that needs an answer from a higher
one offers a registration point that the higher app fills when Django starts
(core/permissions.py, activities/checks.py, emulation/extensions.py).
The project modules (settings, urls, cli, wsgi) sit above every app.
"""

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "mattran"

LAYERS = [
    {"core"},
    {"units"},
    {"access"},
    {"activities", "funds", "ledgerlog"},  # ledgerlog: the public log of the funds ledger
    {"figures"},  # the figures layer: one registry and engine of figures (issue 10)
    {"reports", "emulation"},
    {"news", "portal", "api", "reading"},
    {"demo"},
]
PROJECT_MODULES = {"settings", "urls", "cli", "wsgi"}
LAYER_OF = {app: i for i, layer in enumerate(LAYERS) for app in layer}

# Imports that still point up, each with the work that removes it. The test fails
# when one disappears, so this list only shrinks.
KNOWN_UPWARD: set[tuple[str, str]] = set()


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {n for n in names if n == "mattran" or n.startswith("mattran.")}


def app_imports() -> dict[tuple[str, str], set[str]]:
    """(importing module inside an app, imported app) -> the import names."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).with_suffix("").parts
        if len(rel) < 2:
            continue  # project modules
        app, module = rel[0], ".".join((rel[0], *rel[1:]))
        for name in imports_of(path):
            parts = name.split(".")
            if len(parts) < 2 or parts[1] == app:
                continue
            found[(module, parts[1])].add(name)
    return found


def test_every_app_has_a_layer():
    apps = {p.name for p in SRC.iterdir() if (p / "apps.py").exists()}
    assert apps - LAYER_OF.keys() == set(), "put the new app in a layer (tests/test_layers.py)"


def test_imports_point_down():
    upward, project = [], []
    for (module, target), names in sorted(app_imports().items()):
        if target in PROJECT_MODULES:
            project.append(f"{module} imports {sorted(names)}")
        elif target in LAYER_OF and LAYER_OF[target] > LAYER_OF[module.split(".")[0]]:
            upward.append((module, target, sorted(names)))
    assert project == [], "apps must not import the project modules"
    unexpected = [u for u in upward if (u[0], u[1]) not in KNOWN_UPWARD]
    assert unexpected == [], "imports pointing up a layer:\n" + "\n".join(map(str, unexpected))
    stale = KNOWN_UPWARD - {(u[0], u[1]) for u in upward}
    assert stale == set(), f"no longer needed, remove from KNOWN_UPWARD: {stale}"


def test_no_cycle_between_apps():
    graph: dict[str, set[str]] = defaultdict(set)
    for (module, target), _names in app_imports().items():
        if target in LAYER_OF and (module, target) not in KNOWN_UPWARD:
            graph[module.split(".")[0]].add(target)
    seen, stack, cycles = set(), [], []

    def visit(app):
        if app in stack:
            cycles.append(stack[stack.index(app) :] + [app])
            return
        if app in seen:
            return
        seen.add(app)
        stack.append(app)
        for nxt in sorted(graph[app]):
            visit(nxt)
        stack.pop()

    for app in sorted(graph):
        visit(app)
    assert cycles == [], f"import cycles between apps: {cycles}"
