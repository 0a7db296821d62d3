"""One user action, one service, one transaction (issue 13, "non-atomic views").

A view that calls two writing services one after the other commits the first before
the second runs: when the second is refused, the first's rows stay (an orphan
person, a score sheet without its scores). This test reads every view module of
src/mattran and fails for any view that can call two writing services (a service
function that is `@transaction.atomic` or records an audit event) on one path
through its code; calls in different branches (`if`/`else`, `except`) are
alternatives, not a sequence. Such an action gets one service that does both steps
in one transaction (e.g. funds.services.fund_open, emulation's
sheet_self_score_save). The behaviour (a later step refused, nothing left) is shown
per app in tests/*/test_one_action_one_transaction.py.
"""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "mattran"


def _service_files() -> list[Path]:
    return sorted({*SRC.rglob("services.py"), *SRC.rglob("services/*.py")})


def writing_services() -> set[str]:
    names = set()
    for path in _service_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            atomic = any("atomic" in ast.unparse(d) for d in node.decorator_list)
            if atomic or "audit_record(" in ast.unparse(node):
                names.add(node.name)
    return names


def _service_aliases(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to a services module, and names imported from one."""
    modules, functions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            for alias in node.names:
                if alias.name == "services":
                    modules.add(alias.asname or alias.name)
                elif base.split(".")[-1] == "services" or ".services." in f".{base}.":
                    functions.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.endswith(".services") and alias.asname:
                    modules.add(alias.asname)
    return modules, functions


class _Counter:
    def __init__(self, tree: ast.Module, writers: set[str]):
        self.modules, self.functions = _service_aliases(tree)
        self.writers = writers

    def is_service_call(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            return f.value.id in self.modules and f.attr in self.writers
        return isinstance(f, ast.Name) and f.id in self.functions and f.id in self.writers

    def expr(self, node: ast.AST) -> int:
        """Most writing-service calls on one path through an expression."""
        if isinstance(node, ast.IfExp):
            return self.expr(node.test) + max(self.expr(node.body), self.expr(node.orelse))
        if isinstance(node, (ast.Lambda, ast.FunctionDef)):
            return 0
        own = 1 if self.is_service_call(node) else 0
        return own + sum(self.expr(child) for child in ast.iter_child_nodes(node))

    def block(self, statements: list[ast.stmt]) -> int:
        """Most writing-service calls on one path through a block of statements."""
        total = 0
        for s in statements:
            if isinstance(s, ast.If):
                total += self.expr(s.test) + max(self.block(s.body), self.block(s.orelse))
            elif isinstance(s, ast.Try):
                handlers = max((self.block(h.body) for h in s.handlers), default=0)
                total += (
                    self.block(s.body) + handlers + self.block(s.orelse) + self.block(s.finalbody)
                )
            elif isinstance(s, ast.With):
                total += sum(self.expr(i) for i in s.items) + self.block(s.body)
            elif isinstance(s, (ast.For, ast.While)):
                total += self.block(s.body) + self.block(s.orelse)
            elif isinstance(s, ast.Match):
                total += max((self.block(c.body) for c in s.cases), default=0)
            elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            else:
                total += self.expr(s)
        return total


def views_with_two_writes() -> list[str]:
    writers = writing_services()
    found = []
    for path in sorted(SRC.rglob("views*.py")) + sorted(SRC.rglob("views/*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        counter = _Counter(tree, writers)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and (n := counter.block(node.body)) >= 2:
                found.append(f"{path.relative_to(SRC)}::{node.name} ({n} writing services)")
    return sorted(set(found))


def test_the_scan_sees_the_writing_services():
    writers = writing_services()
    assert {"fund_open", "proposal_create", "sheet_self_score_save", "person_create"} <= writers
    assert "fund_get_visible" not in writers  # selectors and reads are not services that write


def test_the_scan_finds_two_writes_in_sequence():
    """The rule itself: a sequence counts, alternatives do not."""
    source = """
from . import services

def two(request):
    person = services.person_create(actor=None, full_name="A")
    services.proposal_create(actor=None, person=person)

def branches(request):
    if request.POST.get("a"):
        services.person_create(actor=None, full_name="A")
    else:
        services.proposal_create(actor=None)
"""
    counter = _Counter(ast.parse(source), writing_services())
    tree = ast.parse(source)
    counts = {f.name: counter.block(f.body) for f in tree.body if isinstance(f, ast.FunctionDef)}
    assert counts == {"two": 2, "branches": 1}


def test_no_view_calls_two_writing_services():
    found = views_with_two_writes()
    assert not found, (
        "Views that write in two transactions (give the action one service):\n" + "\n".join(found)
    )
