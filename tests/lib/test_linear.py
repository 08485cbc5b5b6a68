"""Every regular expression in Broadsheet runs in linear time (broadsheet.lib.linear).

The source scan reads every call of Python's `re` in src/broadsheet and checks the pattern
it is given against the shape that cannot backtrack far; anything else must be compiled
with RE2 through `linear.compile()`. A pattern built at run time must be a module constant,
so the scan can check it after import.
"""

from __future__ import annotations

import ast
import importlib
import re
import time
from pathlib import Path

import pytest

from broadsheet.lib import linear

SOURCE = Path(__file__).resolve().parents[2] / "src" / "broadsheet"
# Calls of `re` that take a pattern as their first argument.
PATTERN_FUNCTIONS = {
    "compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split",
}  # fmt: skip


@pytest.mark.parametrize(
    "pattern",
    [
        r"\w+",
        r"[^a-z]+",
        r"(?:https?://|www\.)[^\s<>]+",
        r"utm_\w+|fbclid|_gl",
        r"(?<!\w)spam(?!\w)",
        r"(page=\d{1,6})?",
        r"[A-Za-z0-9._:-]{1,128}",
        r"\[url[=\]]",
    ],
)
def test_shapes_that_cannot_backtrack_far_are_safe(pattern: str) -> None:
    assert linear.is_backtrack_safe(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\w+(?:[.-]\w+)*",  # a repeated group
        r"<a\s[^>]*href",  # an unbounded run that can fail after it
        r"\[[^\]]*\]\(",
        r"(a+)+",
        r"<(pre)\b.*?</\1>",  # a backreference
        r"(?=[^>]*x)",  # an unbounded lookahead
        r"(?:\d?){40}\d{40}",  # bounded, but too wide
    ],
)
def test_shapes_that_can_backtrack_are_refused(pattern: str) -> None:
    assert not linear.is_backtrack_safe(pattern)


def test_re2_refuses_lookarounds_and_backreferences() -> None:
    for pattern in (r"(?<!a)b", r"a(?=b)", r"(a)\1"):
        with pytest.raises(Exception):  # noqa: B017 (re2.error has no importable base)
            linear.compile(pattern)


def test_re2_patterns_match_unicode_words_and_ignore_case() -> None:
    pattern = linear.compile(rf"{linear.WORD_CHAR}+", ignore_case=True)
    assert pattern.findall("Zbigniew, Siobhán und Nguyễn") == [
        "Zbigniew",
        "Siobhán",
        "und",
        "Nguyễn",
    ]
    assert linear.compile("spam", ignore_case=True).search("SPAM") is not None


def test_a_refused_shape_is_slow_in_re_and_fast_in_re2() -> None:
    """Why the rule exists: the cubic Markdown-link pattern that froze a worker."""
    shape = r"\[([^\]\n]{1,200})\]\(\s*<?([^)\s>]+)>?[^)]*\)"
    text = "[x](" * 2500
    started = time.perf_counter()
    assert linear.compile(shape).findall(text) == []
    assert time.perf_counter() - started < 10  # a guard against a hang, not a speed test
    assert not linear.is_backtrack_safe(shape)


# The scan ------------------------------------------------------------------------------


def _python_files() -> list[Path]:
    return sorted(path for path in SOURCE.rglob("*.py") if "migrations" not in path.parts)


def _flags(node: ast.expr | None) -> int | None:
    """The value of a flags argument made of `re.X` names joined by `|`."""
    if node is None:
        return 0
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if node.value.id == "re":
            return int(getattr(re, node.attr))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _flags(node.left), _flags(node.right)
        return None if left is None or right is None else left | right
    return None


def _re_calls(tree: ast.Module) -> list[tuple[ast.Call, str | None]]:
    """Every call of re.<pattern function>, with the module-level name it is assigned to."""
    assigned: dict[int, str] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and statement.value:
                assigned[id(statement.value)] = targets[0].id
    calls = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in PATTERN_FUNCTIONS
        ):
            calls.append((node, assigned.get(id(node))))
    return calls


def _module_name(path: Path) -> str:
    relative = path.relative_to(SOURCE.parent).with_suffix("")
    return ".".join(relative.parts).removesuffix(".__init__")


def test_every_pattern_in_the_code_is_linear() -> None:
    problems = []
    checked = 0
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call, name in _re_calls(tree):
            where = f"{path.relative_to(SOURCE.parent)}:{call.lineno}"
            pattern_node = call.args[0] if call.args else None
            flags_node = next((k.value for k in call.keywords if k.arg == "flags"), None)
            if flags_node is None:
                position = 1 if call.func.attr == "compile" else None  # type: ignore[attr-defined]
                if position is not None and len(call.args) > position:
                    flags_node = call.args[position]
            flags = _flags(flags_node)
            if isinstance(pattern_node, ast.Constant) and isinstance(pattern_node.value, str):
                if flags is None:
                    problems.append(f"{where}: flags the scan cannot read")
                elif not linear.is_backtrack_safe(pattern_node.value, flags):
                    problems.append(f"{where}: {pattern_node.value!r} can backtrack; use RE2")
                checked += 1
            elif name is not None and call.func.attr == "compile":  # type: ignore[attr-defined]
                compiled = getattr(importlib.import_module(_module_name(path)), name)
                if not linear.is_backtrack_safe(compiled):
                    problems.append(f"{where}: {name} can backtrack; use RE2")
                checked += 1
            else:
                problems.append(
                    f"{where}: a pattern built at run time; make it a module constant "
                    "or compile it with broadsheet.lib.linear"
                )
    assert not problems, "\n".join(problems)
    assert checked > 10  # the scan found the code's patterns
