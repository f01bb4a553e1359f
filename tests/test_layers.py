"""The shape of `app/`: no import cycles, small modules (import-linter checks the layers themselves)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import grimp

from app.settings import PROJECT_ROOT

MAX_LINES = 600


def _cycles(edges: Mapping[str, Iterable[str]]) -> list[set[str]]:
    """The strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def _graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("app", cache_dir=None)
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def _top(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_no_module_of_app_imports_itself_back():
    assert _cycles(_graph()) == []


def test_no_two_top_level_parts_of_app_import_each_other():
    edges: dict[str, set[str]] = {}
    for module, imported in _graph().items():
        edges.setdefault(_top(module), set()).update(_top(i) for i in imported if _top(i) != _top(module))
    assert _cycles(edges) == []


def test_no_module_is_longer_than_the_limit():
    long = {
        str(path.relative_to(PROJECT_ROOT)): n
        for path in (PROJECT_ROOT / "app").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
