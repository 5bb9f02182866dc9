"""A static guard against SQL text built from values (tests/fast/test_sql_guard.py runs it).

Python: every string built with an f-string, `%`, `.format()` or `+` whose text
looks like SQL, and every first argument of `.execute()`, `.executemany()`,
`.sql()` or `.query()`, may only be made of safe parts:

- literals, and module constants (UPPER_CASE names, or a subscript of one);
- `quote_identifier(...)` / `quote_literal(...)` (orchestration/sql.py, the audited quoting);
- `repository_query(...)` (orchestration/sql.py): a query file of the repository, code;
- f-strings, `%`, `+`, `str.join` and conditionals of safe parts;
- a local name whose every assignment in its function (or module) is safe; a
  comprehension variable iterating over a safe sequence;
- a call of a function of the same module whose every `return` is safe; a parameter
  of a module-private function (`_name`) that every call in the module passes safe;
- `int(...)`, `len(...)`, `float(...)`, `round(...)`, `range(...)`: numbers cannot carry SQL.

Anything else (a function parameter, a value read from a file, the environment or
a query) is a finding: it must go through a bound parameter or the quoting helper.

Jinja (dbt models, macros, singular tests, dbt_project.yml): `env_var(` anywhere but
in the macros that validate settings (macros/run_settings.sql) is a finding.

`python -m tests.support.sql_guard [ROOT]` prints the findings of a checkout.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

PYTHON_DIRS = ("orchestration", "bench")
JINJA_GLOBS = (
    "models/**/*.sql",
    "models/**/*.yml",
    "macros/**/*.sql",
    "tests/dbt/**/*.sql",
    "dbt_project.yml",
)
ENV_VAR_ALLOWED = ("macros/run_settings.sql",)
QUOTING_HELPERS = {"quote_identifier", "quote_literal"}
# A query of a file of the repository (orchestration/sql.py): code, not a value.
REPOSITORY_QUERIES = {"repository_query"}
EXECUTORS = {"execute", "executemany", "sql", "query"}
NUMBERS = {"int", "len", "float", "round", "range"}

SQL_TEXT = re.compile(
    r"\b(select\b[\s\S]*\bfrom|insert\s+into|delete\s+from|update\s+\S+(\s+as\s+\S+)?\s+set|"
    r"create\s+(or\s+replace\s+)?(temp\w*\s+)?(table|view|schema|macro|index)|drop\s+(table|view|schema)|"
    r"alter\s+table|copy\s*[(\"{]|copy\s+\w+\s+to|attach\b|detach\b|describe\s+select|pragma\s|"
    r"read_(csv|parquet|json)\w*\s*\()",
    re.IGNORECASE,
)
CONSTANT_NAME = re.compile(r"_?[A-Z][A-Z0-9_]*")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.why}: {self.text}"


def _template(node: ast.AST) -> str | None:
    """The text of a string-building expression with `{}` for its dynamic parts."""
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mod)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
    ):
        return node.left.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [
            _template(side) if not isinstance(side, ast.Constant) else side.value
            for side in (node.left, node.right)
        ]
        if any(isinstance(p, str) for p in parts):
            return "".join(p if isinstance(p, str) else "{}" for p in parts)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        return node.func.value.value
    return None


class _Module:
    """Assignments and functions of one module, for the safety analysis."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.functions: dict[str, ast.FunctionDef] = {}
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and isinstance(
                self.parents.get(node), ast.Module
            ):
                self.functions[node.name] = node

    def scope_of(self, node: ast.AST) -> ast.AST:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                return node
        return self.tree

    def comprehension_source(self, name: ast.Name) -> ast.AST | None:
        """The iterable a comprehension variable runs over, when `name` is one."""
        node: ast.AST = name
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp | ast.DictComp):
                for generator in node.generators:
                    targets = [t.id for t in ast.walk(generator.target) if isinstance(t, ast.Name)]
                    if name.id in targets:
                        return generator.iter
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
                return None
        return None

    def assignments(self, scope: ast.AST, name: str) -> list[ast.AST] | None:
        """Every value assigned to `name` in `scope` (None when it is a parameter or a
        loop or with target: not known to be safe)."""
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            arguments = scope.args
            parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            parameters += [a for a in (arguments.vararg, arguments.kwarg) if a]
            if name in {a.arg for a in parameters}:
                return None
        values: list[ast.AST] = []
        body = scope.body if isinstance(scope.body, list) else [scope.body]
        for statement in body:
            for node in ast.walk(statement):
                if node is not scope and isinstance(
                    node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                ):
                    continue
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name) and target.id == name:
                            values.append(node.value)
                        elif isinstance(target, ast.Tuple) and name in [
                            t.id for t in target.elts if isinstance(t, ast.Name)
                        ]:
                            return None
                elif isinstance(node, ast.AnnAssign | ast.AugAssign):
                    if (
                        isinstance(node.target, ast.Name)
                        and node.target.id == name
                        and node.value is not None
                    ):
                        values.append(node.value)
                elif isinstance(node, ast.For | ast.With | ast.comprehension):
                    targets = node.target if isinstance(node, ast.For | ast.comprehension) else None
                    names = [t.id for t in ast.walk(targets) if isinstance(t, ast.Name)] if targets else []
                    if isinstance(node, ast.With):
                        names = [
                            t.id
                            for item in node.items
                            if item.optional_vars
                            for t in ast.walk(item.optional_vars)
                            if isinstance(t, ast.Name)
                        ]
                    if name in names:
                        return None
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("append", "extend")
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == name
                ):
                    values.extend(node.args)
        return values


class _Analysis:
    def __init__(self, module: _Module):
        self.module = module
        self.visiting: set[tuple[int, str]] = set()

    def safe(self, node: ast.AST | None) -> bool:
        if node is None:
            return True
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(v.value) for v in node.values if isinstance(v, ast.FormattedValue))
        if isinstance(node, ast.FormattedValue):
            return self.safe(node.value)
        if isinstance(node, ast.BinOp):
            return self.safe(node.left) and self.safe(node.right)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body) and self.safe(node.orelse)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return all(self.safe(e) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
            return self.safe(node.elt)
        if isinstance(node, ast.Starred):
            return self.safe(node.value)
        if isinstance(node, ast.Subscript):
            return self.safe(node.value)
        if isinstance(node, ast.Attribute):
            return bool(CONSTANT_NAME.fullmatch(node.attr))
        if isinstance(node, ast.Name):
            return self._safe_name(node)
        if isinstance(node, ast.Call):
            return self._safe_call(node)
        return False

    def _safe_name(self, node: ast.Name) -> bool:
        m = self.module
        if CONSTANT_NAME.fullmatch(node.id):
            return True
        source = m.comprehension_source(node)
        if source is not None:
            return self.safe(source)
        scope = m.scope_of(node)
        key = (id(scope), node.id)
        if key in self.visiting:
            return True  # a cycle: judged by the other assignments
        self.visiting.add(key)
        try:
            values = m.assignments(scope, node.id)
            if values is None:
                return self._safe_parameter(scope, node.id)
            if not values and scope is not m.tree:
                values = m.assignments(m.tree, node.id)
                if values is None:
                    return False
            return bool(values) and all(self.safe(v) for v in values)
        finally:
            self.visiting.discard(key)

    def _safe_parameter(self, function: ast.AST, name: str) -> bool:
        """A parameter of a module-private function (`_name`, called only here) is safe when
        every call of the function in the module passes a safe value for it."""
        m = self.module
        if not isinstance(function, ast.FunctionDef) or not function.name.startswith("_"):
            return False
        if m.functions.get(function.name) is not function:
            return False
        arguments = function.args
        positional = [a.arg for a in [*arguments.posonlyargs, *arguments.args]]
        calls = [
            n
            for n in ast.walk(m.tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == function.name
        ]
        if not calls:
            return False
        for call in calls:
            passed = [k.value for k in call.keywords if k.arg == name]
            if name in positional and positional.index(name) < len(call.args):
                passed.append(call.args[positional.index(name)])
            if any(isinstance(a, ast.Starred) for a in call.args) or not all(self.safe(v) for v in passed):
                return False
        return True

    def _safe_call(self, node: ast.Call) -> bool:
        m = self.module
        func = node.func
        name = (
            func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        )
        if name in QUOTING_HELPERS or (isinstance(func, ast.Name) and func.id in NUMBERS):
            return True  # quoted by the audited helper, or a number (cannot carry SQL)
        if name in REPOSITORY_QUERIES:
            return True  # the text of a query file of the repository, checked to be one
        if isinstance(func, ast.Attribute) and func.attr == "get" and self.safe(func.value):
            return all(self.safe(a) for a in node.args[1:])  # a lookup in a constant mapping
        if isinstance(func, ast.Attribute) and func.attr == "join" and self.safe(func.value):
            return all(self.safe(a) for a in node.args)
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("strip", "lower", "upper")
            and self.safe(func.value)
        ):
            return True
        if isinstance(func, ast.Name) and func.id in m.functions:
            key = (id(m.functions[func.id]), "<return>")
            if key in self.visiting:
                return True
            self.visiting.add(key)
            try:
                returns = [r.value for r in ast.walk(m.functions[func.id]) if isinstance(r, ast.Return)]
                return bool(returns) and all(self.safe(r) for r in returns)
            finally:
                self.visiting.discard(key)
        return False


def python_findings(path: Path, relative: str) -> list[Finding]:
    tree = ast.parse(path.read_text(), filename=relative)
    module = _Module(tree)
    analysis = _Analysis(module)
    findings: list[Finding] = []
    seen: set[int] = set()
    for node in ast.walk(tree):
        candidate: ast.AST | None = None
        why = ""
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in EXECUTORS
            and node.args
            and not isinstance(node.args[0], ast.Constant)
        ):
            candidate, why = node.args[0], f"SQL passed to .{node.func.attr}() built from a non-constant"
        if candidate is None:
            template = _template(node)
            if template is not None and SQL_TEXT.search(template):
                candidate, why = node, "SQL text built from a non-constant"
        if candidate is None or id(candidate) in seen:
            continue
        parts = _dynamic_parts(candidate)
        if not all(analysis.safe(p) for p in parts):
            seen.add(id(candidate))
            text = ast.get_source_segment(path.read_text(), candidate) or ""
            findings.append(Finding(relative, candidate.lineno, " ".join(text.split())[:140], why))
    return findings


def _dynamic_parts(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return [node.right]
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return [*node.args, *(k.value for k in node.keywords)]
    return [node]


ENV_VAR = re.compile(r"\benv_var\s*\(")


def jinja_findings(root: Path) -> list[Finding]:
    findings = []
    for pattern in JINJA_GLOBS:
        for path in sorted(root.glob(pattern)):
            relative = path.relative_to(root).as_posix()
            if relative in ENV_VAR_ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if ENV_VAR.search(line):
                    findings.append(
                        Finding(
                            relative,
                            number,
                            line.strip()[:140],
                            "env_var() outside the validating macros (macros/run_settings.sql)",
                        )
                    )
    return findings


def findings(root: Path, python_dirs: tuple[str, ...] = PYTHON_DIRS) -> list[Finding]:
    found = []
    for folder in python_dirs:
        for path in sorted((root / folder).rglob("*.py")):
            found += python_findings(path, path.relative_to(root).as_posix())
    return found + jinja_findings(root)


if __name__ == "__main__":
    checkout = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent.parent
    for finding in findings(checkout):
        print(finding)
