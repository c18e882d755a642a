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

BOT = Path(__file__).resolve().parent.parent / "bot"
WORDS = BOT / "commands" / "words"
ERROR_CLASSES = {"DomainError", "InvalidInput", "NotFound", "NotAllowed"}
# Helpers that raise a code they are given: where the code is, and the parameters they add.
PASSING_ON = {
    "clean_line": {"empty": frozenset(), "too_long": frozenset({"length", "limit"})},
    "internal_only": {2: frozenset()},
}
NOT_PARAMS = {"field", "text", "limit", "empty", "too_long"}  # a helper's own arguments
SPECS = {"", "lower", ","}  # the format specs say() knows
RAISED_BY_CLASS = {"form.fields"}  # FieldErrors names its own code


@dataclass(frozen=True)
class Site:
    code: str
    params: frozenset[str]
    where: str
    exact: bool = True  # False: a helper passes its parameters to each of its codes


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(BOT.rglob("*.py")):
        if WORDS in path.parents or "sandbox" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _error_classes(modules: list[tuple[Path, ast.Module]]) -> set[str]:
    """The error classes and every class in bot/ derived from one."""
    known = set(ERROR_CLASSES)
    grew = True
    while grew:
        grew = False
        for _, tree in modules:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in known:
                    bases = {_name(b) for b in node.bases}
                    if bases & known:
                        known.add(node.name)
                        grew = True
    return known


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "a.code"` constants."""
    out: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            out[node.targets[0].id] = node.value.value
    return out


def _literal(node: ast.expr | None, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def _sites() -> tuple[list[Site], list[str]]:
    """Every raise of a code in bot/, and every raise whose code cannot be read."""
    modules = list(_modules())
    classes = _error_classes(modules)
    sites: list[Site] = []
    unread: list[str] = []
    for path, tree in modules:
        constants = _constants(tree)
        helpers = {
            node.name: node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name in PASSING_ON
        }
        inside_helpers = {id(n) for h in helpers.values() for n in ast.walk(h)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(BOT.parent)}:{node.lineno}"
            called = _name(node.func)
            keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
            if called in classes and id(node) not in inside_helpers and node.args:
                if isinstance(node.func, ast.Attribute) and called == "__init__":
                    continue
                code = _literal(node.args[0], constants)
                if code is None:
                    unread.append(where)
                    continue
                if any(k.arg is None for k in node.keywords):
                    unread.append(where)  # **params: the names cannot be checked
                sites.append(Site(code, frozenset(keywords) - {"field"}, where))
            elif called in PASSING_ON:
                given = frozenset(keywords) - NOT_PARAMS
                for place, added in PASSING_ON[called].items():
                    if isinstance(place, int):
                        arg = node.args[place] if len(node.args) > place else None
                    else:
                        arg = keywords.get(place)
                    if arg is None:
                        continue
                    code = _literal(arg, constants)
                    if code is None:
                        # a variable chosen among literals (`empty = A if … else B`)
                        codes = _chosen(tree, arg, constants)
                        if not codes:
                            unread.append(where)
                        sites += [Site(c, given | added, where, exact=False) for c in codes]
                    else:
                        sites.append(Site(code, given | added, where, exact=False))
    return sites, unread


def _chosen(tree: ast.Module, arg: ast.expr, constants: dict[str, str]) -> list[str]:
    """The literal codes a local name may hold: `empty, too_long = A if x else B` where A and
    B are tuples of codes (module constants)."""
    if not isinstance(arg, ast.Name):
        return []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or not isinstance(node.targets[0], ast.Tuple):
            continue
        names = [_name(t) for t in node.targets[0].elts]
        if arg.id not in names or not isinstance(node.value, ast.IfExp):
            continue
        at = names.index(arg.id)
        found = []
        for branch in (node.value.body, node.value.orelse):
            if isinstance(branch, ast.Name):
                branch = _tuple_constant(tree, branch.id)  # type: ignore[assignment]
            if isinstance(branch, ast.Tuple) and at < len(branch.elts):
                code = _literal(branch.elts[at], constants)
                if code:
                    found.append(code)
        return found
    return []


def _tuple_constant(tree: ast.Module, name: str) -> ast.expr | None:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            return node.value
    return None


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
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    assert isinstance(key, ast.Constant), path
                    assert (
                        isinstance(value, ast.Call)
                        and _name(value.func) == "N_"
                        and len(value.args) == 1
                        and isinstance(value.args[0], ast.Constant)
                    ), f"{path.name}: {key.value} is not N_(one literal)"


TOPIC_PREFIXES = {
    "common": {"form"},
    "disputes": {"dispute"},
    "reviews": {"review", "time", "recurrence"},
    "agreements": {"agreement"},
    "digests": {"digest"},
    "parties": {"party"},
}


def test_each_topic_keeps_its_own_codes() -> None:
    """A topic's words are in its own module, under its prefix: a newcomer finds them by name."""
    modules = {p.stem for p in WORDS.glob("*.py")} - {"__init__", "base"}
    assert modules == set(TOPIC_PREFIXES)
    for stem, prefixes in TOPIC_PREFIXES.items():
        module = importlib.import_module(f"bot.commands.words.{stem}")
        strays = [code for code in module.WORDS if code.split(".")[0] not in prefixes]
        assert not strays, f"{stem}.py holds codes of another topic: {strays}"


def test_typed_text_in_a_refusal_is_never_markup() -> None:
    said = say(InvalidInput("dispute.bad_id", text="<!channel> <https://evil.example|x>"))
    assert said == (
        "`&lt;!channel&gt; &lt;https://evil.example|x&gt;` is not a dispute id. "
        "Write it like `D-3`."
    )
    assert say_plain(InvalidInput("dispute.bad_id", text="<!channel>")).startswith("`<!channel>`")


def test_lists_stages_and_numbers_are_said_in_words() -> None:
    from bot.domain.ladder import Stage

    assert say(InvalidInput("dispute.bad_scope", text="x", choices=("open", "all", "mine"))) == (
        "`x` is not a list. Choose one of `open`, `all` or `mine`."
    )
    assert "to the legal stage" in say(
        DomainError("dispute.approver_to", ref="D-1", stage=Stage.LEGAL)
    )
    assert "5,000 characters" in say(InvalidInput("dispute.title_too_long", length=5000, limit=200))


def test_a_code_is_checked_when_raised() -> None:
    with pytest.raises(ValueError):
        NotFound("There is no such thing.")
