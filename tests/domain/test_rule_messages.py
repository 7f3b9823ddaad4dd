"""A refusal's message says what was wrong; its rule name travels beside it (`rule`),
and adapters print the two together. So no message repeats its own rule name."""

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import casework.access
import casework.aggregates
from casework.aggregates.base import RuleBroken

DOMAIN = [
    Path(casework.access.__file__),
    *Path(casework.aggregates.__path__[0]).rglob("*.py"),
]


def _rule_names() -> set[str]:
    names = {"rule"}
    modules = [casework.access]
    for info in pkgutil.walk_packages(casework.aggregates.__path__, "casework.aggregates."):
        modules.append(importlib.import_module(info.name))
    for module in modules:
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, RuleBroken):
                names.add(cls.rule)
    return names


def _leading_texts(tree: ast.AST) -> list[str]:
    """The literal start of every string and f-string in the module."""
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                texts.append(first.value)
    return texts


def test_no_domain_message_starts_with_a_rule_name() -> None:
    prefixes = tuple(f"{name}: " for name in _rule_names())
    found = [
        f"{path.name}: {text!r}"
        for path in DOMAIN
        for text in _leading_texts(ast.parse(path.read_text()))
        if text.startswith(prefixes)
    ]
    assert len(prefixes) > 40  # the rules were found
    assert found == []
