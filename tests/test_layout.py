"""The core's layout rules, checked on the installed package: no import cycle, small modules.

Imports under ``if TYPE_CHECKING:`` and imports inside functions count like any other: a
cycle dodged with a lazy import is still a cycle in the design.
"""

from __future__ import annotations

from pathlib import Path

import grimp

import nudgeguard

#: Longest module, in lines: past it a module holds more than one concept.
MAX_LINES = 400


def import_graph() -> grimp.ImportGraph:
    return grimp.build_graph("nudgeguard", exclude_type_checking_imports=False, cache_dir=None)


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
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
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def describe(graph: grimp.ImportGraph, component: list[str]) -> str:
    """Name every import inside a cycle, with its line, so the report says what to move."""
    lines = []
    for importer in component:
        for imported in component:
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(
                    f"  {importer}:{detail['line_number']} {detail['line_contents'].strip()}"
                )
    return "\n".join(lines)


def test_the_core_has_no_import_cycle() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles in nudgeguard:\n" + "\n\n".join(
        describe(graph, c) for c in found
    )


def test_the_cycle_check_sees_type_only_and_lazy_imports() -> None:
    # The check would be worthless if either kind of import were invisible to it.
    graph = import_graph()
    assert graph.direct_import_exists(
        importer="nudgeguard.adapter", imported="nudgeguard.inbox.handle"
    ), "the adapter's type-only import of the handle is not in the graph"
    assert graph.direct_import_exists(
        importer="nudgeguard.cli.console", imported="nudgeguard.console.server"
    ), "the console command's import inside a function is not in the graph"
    graph.add_import(importer="nudgeguard.delivery.outbound", imported="nudgeguard.adapter")
    assert any(
        {"nudgeguard.adapter", "nudgeguard.delivery.outbound"} <= set(c) for c in cycles(graph)
    )


def test_no_module_is_over_400_lines() -> None:
    root = Path(nudgeguard.__file__).parent
    sizes = {
        str(path.relative_to(root)): len(path.read_text(encoding="utf-8").splitlines())
        for path in root.rglob("*.py")
    }
    assert len(sizes) > 100  # the package, not an empty folder
    too_long = {name: n for name, n in sorted(sizes.items()) if n > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines (split them by concept): {too_long}"
