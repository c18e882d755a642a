"""Every refusal the domain raises has words, and the words fit the refusal.

The domain raises `DomainError(code, **params)`; the adapter says it from the catalog in
`bot/commands/words/`. Read from the source (so a raise on a path no test walks is checked
too): every code raised in `bot/` has words; no words are left without a code; each message's
placeholders are exactly the parameters its raise sites pass; each message is one literal a
translator's tools can extract.
"""

from __future__ import annotations

import ast
import importlib
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.commands.words import CATALOG, say, say_plain
from bot.domain.errors import DomainError, InvalidInput, NotFound
from tests.saying import ENGLISH

BOT = Path(__file__).resolve().parents[2] / "bot"
WORDS = BOT / "commands" / "words"
ERROR_CLASSES = {"DomainError", "InvalidInput", "NotFound", "NotAllowed"}
CONTAINERS = {"FieldErrors"}  # errors that hold other errors (each raised and checked itself)
SPECS = {"", "lower", ","}  # the format specs say() knows
RAISED_BY_CLASS = {"form.fields"}  # FieldErrors names its own code


@dataclass(frozen=True)
class Site:
    code: str
    params: frozenset[str]
    where: str
    exact: bool = True  # False: a helper adds parameters of its own to a code it is given


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    constants: dict[str, ast.expr]  # module-level NAME = <expr>
    imports: dict[str, tuple[str, str]]  # local name -> (module, name)


def _modules() -> dict[str, Module]:
    out: dict[str, Module] = {}
    for path in sorted(BOT.rglob("*.py")):
        if WORDS in path.parents or "sandbox" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        constants: dict[str, ast.expr] = {}
        imports: dict[str, tuple[str, str]] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                if isinstance(node.targets[0], ast.Name):
                    constants[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if node.value is not None:
                    constants[node.target.id] = node.value
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    imports[alias.asname or alias.name] = (node.module, alias.name)
        out[".".join(parts)] = Module(".".join(parts), path, tree, constants, imports)
    return out


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _derived(modules: dict[str, Module], roots: set[str]) -> set[str]:
    """`roots` and every class in bot/ derived from one of them."""
    known = set(roots)
    grew = True
    while grew:
        grew = False
        for module in modules.values():
            for node in ast.walk(module.tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and node.name not in known
                    and {_name(b) for b in node.bases} & known
                ):
                    known.add(node.name)
                    grew = True
    return known


PARAM = "<a parameter>"


class Resolver:
    """What codes an expression at a raise site (or a call of a helper) may hold."""

    def __init__(self, modules: dict[str, Module]) -> None:
        self.modules = modules

    def codes(
        self, node: ast.expr, module: Module, func: ast.FunctionDef | None, index: int | None = None
    ) -> list[str] | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            both = [self.codes(b, module, func, index) for b in (node.body, node.orelse)]
            return None if None in both else [c for found in both for c in found or ()]
        if isinstance(node, ast.Tuple) and index is not None and index < len(node.elts):
            return self.codes(node.elts[index], module, func)
        if isinstance(node, ast.Subscript):  # CODES[key]: every value the table holds
            table = self.codes_table(node.value, module)
            if table is None:
                return None
            found: list[str] = []
            for value in table.values:
                codes = self.codes(value, module, func, index)
                if codes is None:
                    return None
                found += codes
            return found
        if isinstance(node, ast.Name):
            if func is not None:
                if node.id in _parameters(func):
                    return [PARAM]
                local = _assignment(func, node.id)
                if local is not None:
                    value, at = local
                    return self.codes(value, module, func, at if at is not None else index)
            return self.constant(node.id, module, index)
        return None

    def constant(self, name: str, module: Module, index: int | None) -> list[str] | None:
        if name in module.constants:
            return self.codes(module.constants[name], module, None, index)
        if name in module.imports:
            source, original = module.imports[name]
            if source in self.modules:
                return self.constant(original, self.modules[source], index)
        return None

    def codes_table(self, node: ast.expr, module: Module) -> ast.Dict | None:
        if isinstance(node, ast.Name):
            value = module.constants.get(node.id)
            if isinstance(value, ast.Dict):
                return value
        return None


def _parameters(func: ast.FunctionDef) -> list[str]:
    args = func.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


def _assignment(func: ast.FunctionDef, name: str) -> tuple[ast.expr, int | None] | None:
    """The value a local `name` is given in `func` (and its place, if unpacked)."""
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id == name:
                return node.value, None
            if isinstance(target, ast.Tuple):
                names = [_name(t) for t in target.elts]
                if name in names:
                    return node.value, names.index(name)
    return None


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node  # type: ignore[misc]


def _keywords(call: ast.Call) -> tuple[frozenset[str], bool]:
    names = frozenset(k.arg for k in call.keywords if k.arg is not None) - {"field"}
    return names, any(k.arg is None for k in call.keywords)


def _sites() -> tuple[list[Site], list[str]]:
    """Every raise of a code in bot/, and every raise whose code cannot be read.

    A helper that raises a code it is given (`clean_line(…, empty="x.empty")`,
    `internal_only(…, "x.outsiders")`) is found by the raise inside it; its callers' literal
    codes are the sites then, with the parameters the helper adds and those it passes on."""
    modules = _modules()
    errors = _derived(modules, ERROR_CLASSES) - _derived(modules, CONTAINERS)
    resolver = Resolver(modules)
    sites: list[Site] = []
    unread: list[str] = []
    # (module, helper) -> [(its parameter's position, its name, the parameters it adds, **)]
    helpers: dict[tuple[str, str], list[tuple[int, str, frozenset[str], bool]]] = {}
    for module in modules.values():
        for func in _functions(module.tree):
            for node in ast.walk(func):
                if not (isinstance(node, ast.Call) and _name(node.func) in errors and node.args):
                    continue
                where = f"{module.path.relative_to(BOT.parent)}:{node.lineno}"
                codes = resolver.codes(node.args[0], module, func)
                params, splat = _keywords(node)
                if codes is None:
                    unread.append(where)
                    continue
                for code in codes:
                    if code != PARAM:
                        sites.append(Site(code, params, where, exact=not splat))
                for param in _given(node.args[0], func):
                    names = _parameters(func)
                    position = names.index(param) - (1 if names[:1] == ["self"] else 0)
                    helper = (module.name, func.name)
                    helpers.setdefault(helper, []).append((position, param, params, splat))
    for module in modules.values():
        for func in [None, *_functions(module.tree)]:
            body = module.tree if func is None else func
            for node in ast.walk(body):
                if not isinstance(node, ast.Call):
                    continue
                helper = _callee(node.func, module)
                if helper not in helpers:
                    continue
                if func is None and _inside_function(module.tree, node):
                    continue
                where = f"{module.path.relative_to(BOT.parent)}:{node.lineno}"
                keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
                passed, _ = _keywords(node)
                for position, param, added, splat in helpers[helper]:
                    arg = keywords.get(param)
                    if arg is None and len(node.args) > position:
                        arg = node.args[position]
                    if arg is None:
                        continue
                    codes = resolver.codes(arg, module, func)
                    if codes is None:
                        unread.append(where)
                        continue
                    given = added | (passed if splat else frozenset())
                    sites += [Site(c, given, where, exact=False) for c in codes if c != PARAM]
    return sites, unread


def _given(node: ast.expr, func: ast.FunctionDef) -> list[str]:
    """The parameters of `func` whose value `node` (a raise's code) may be."""
    if isinstance(node, ast.Name):
        if node.id in _parameters(func):
            return [node.id]
        local = _assignment(func, node.id)
        return _given(local[0], func) if local else []
    if isinstance(node, ast.IfExp):
        return _given(node.body, func) + _given(node.orelse, func)
    return []


def _callee(node: ast.expr, module: Module) -> tuple[str, str]:
    """(module, function) a call's callee names: `f` defined or imported here, `mod.f`."""
    if isinstance(node, ast.Name):
        source = module.imports.get(node.id)
        return source if source is not None else (module.name, node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        package = module.imports.get(node.value.id)
        if package is not None:
            return (f"{package[0]}.{package[1]}", node.attr)
    return ("", _name(node))


def _inside_function(tree: ast.Module, call: ast.Call) -> bool:
    return any(call in ast.walk(f) for f in _functions(tree))


SITES, UNREAD = _sites()


def _placeholders(message: str) -> dict[str, str]:
    return {
        field: spec or ""
        for _, field, spec, _ in string.Formatter().parse(message)
        if field is not None
    }


def test_every_code_is_read_from_the_source() -> None:
    assert SITES, "no raise sites found: the scan is broken"
    assert not UNREAD, f"raises whose code or parameters cannot be read: {UNREAD}"


def test_every_code_raised_has_words() -> None:
    missing = sorted({f"{s.code} ({s.where})" for s in SITES if s.code not in CATALOG})
    assert not missing, f"codes without words in bot/commands/words/: {missing}"


def test_no_words_without_a_code() -> None:
    raised = {s.code for s in SITES} | RAISED_BY_CLASS
    assert not sorted(set(CATALOG) - raised), "words no refusal uses"


@pytest.mark.parametrize("site", SITES, ids=lambda s: f"{s.code}@{s.where}")
def test_placeholders_are_the_parameters_passed(site: Site) -> None:
    if site.code not in CATALOG:
        pytest.skip("reported by test_every_code_raised_has_words")
    wanted = _placeholders(CATALOG[site.code])
    if site.exact:
        assert set(wanted) == set(site.params), (site.where, CATALOG[site.code])
    else:
        assert set(wanted) <= set(site.params), (site.where, CATALOG[site.code])
    assert set(wanted.values()) <= SPECS


def test_each_message_is_one_literal_for_the_extractor() -> None:
    """`N_("…")` with one string literal (adjacent literals join at compile time), so Babel's
    extract finds every message."""
    for path in WORDS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.AnnAssign | ast.Assign)
                and "WORDS" in {_name(t) for t in _targets(node)}
                and isinstance(node.value, ast.Dict)
            ):
                for key, value in zip(node.value.keys, node.value.values, strict=True):
                    assert isinstance(key, ast.Constant), path
                    assert (
                        isinstance(value, ast.Call)
                        and _name(value.func) == "N_"
                        and len(value.args) == 1
                        and isinstance(value.args[0], ast.Constant)
                    ), f"{path.name}: {key.value} is not N_(one literal)"


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


TOPIC_PREFIXES = {
    "common": {"form"},
    "disputes": {"dispute"},
    "reviews": {"review", "time", "recurrence"},
    "agreements": {"agreement"},
    "digests": {"digest"},
    "dossiers": {"dossier"},
    "parties": {"party"},
    "complaints": {"complaint"},
    "praise": {"praise"},
    "valueadds": {"valueadd"},
    "surveys": {"survey"},
    "contracts": {"contract"},
    "reports": {"report"},
    "audit_publish": {"audit"},
    "audits": {"audit"},
}


def test_each_topic_keeps_its_own_codes() -> None:
    """A topic's words are in its own module, under its prefix: a newcomer finds them by name."""
    modules = {p.stem for p in WORDS.glob("*.py")} - {"__init__", "base", "language"}
    assert modules == set(TOPIC_PREFIXES)
    for stem, prefixes in TOPIC_PREFIXES.items():
        module = importlib.import_module(f"bot.commands.words.{stem}")
        strays = [code for code in module.WORDS if code.split(".")[0] not in prefixes]
        assert not strays, f"{stem}.py holds codes of another topic: {strays}"


def test_typed_text_in_a_refusal_is_never_markup() -> None:
    said = say(InvalidInput("dispute.bad_id", text="<!channel> <https://evil.example|x>"), ENGLISH)
    assert said == (
        "`&lt;!channel&gt; &lt;https://evil.example|x&gt;` is not a dispute id. "
        "Write it like `D-3`."
    )
    assert say_plain(InvalidInput("dispute.bad_id", text="<!channel>"), ENGLISH).startswith(
        "`<!channel>`"
    )


def test_lists_stages_and_numbers_are_said_in_words() -> None:
    from bot.domain.ladder import Stage

    assert say(
        InvalidInput("dispute.bad_scope", text="x", choices=("open", "all", "mine")), ENGLISH
    ) == ("`x` is not a list. Choose one of `open`, `all`, `mine`.")
    assert "to the legal stage" in say(
        DomainError("dispute.approver_to", ref="D-1", stage=Stage.LEGAL), ENGLISH
    )
    assert "5,000 characters" in say(
        InvalidInput("dispute.title_too_long", length=5000, limit=200), ENGLISH
    )


def test_a_code_is_checked_when_raised() -> None:
    with pytest.raises(ValueError):
        NotFound("There is no such thing.")


def test_an_example_is_said_in_the_readers_language() -> None:
    """A `Words` parameter (an example of what to type) is translated; a fact is not."""
    from bot.domain.ladder import Action
    from bot.workflows.disputes import WHAT_TO_WRITE
    from tests.saying import CHINESE

    refused = InvalidInput("dispute.reason_empty", example=WHAT_TO_WRITE[Action.ESCALATE])
    assert say(refused, ENGLISH) == (
        "The reason is empty. Write it like this: "
        "`/dispute escalate D-3 Supplier missed the fix date`"
    )
    assert (
        say(refused, CHINESE) == "原因为空。请这样写：`/dispute escalate D-3 供应商错过了修复日期`"
    )
    typed = InvalidInput("dispute.bad_id", text="Supplier missed the fix date")
    assert "`Supplier missed the fix date`" in say(typed, CHINESE)
