"""The package's plan: verbs on top, machinery in subpackages by concern, imports only
downwards, no cycles. Where new code goes is decided by the layer table below."""

from __future__ import annotations

import ast
from pathlib import Path

KG = Path(__file__).resolve().parent.parent / "kg"

# Lower numbers are lower layers. A module may import its own subpackage and any
# lower layer, never a higher one nor a sibling of the same layer.
LAYERS = {
    "kg.errors": 0,
    "kg.rdf": 1,
    "kg.store": 2,
    "kg.sparql": 2,
    "kg.facts": 2,
    "kg.engine": 3,
    "kg.remote": 3,
    "kg.web": 4,
    "kg.cli": 6,
    "kg.__main__": 7,
}
VERB_LAYER = 5


def module_name(path: Path) -> str:
    parts = path.relative_to(KG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit_of(module: str) -> str:
    """The unit a module belongs to: its subpackage, or itself at the top of kg/."""
    parts = module.split(".")
    return ".".join(parts[:2])


def layer_of(module: str) -> int:
    return LAYERS.get(unit_of(module), VERB_LAYER)


def kg_imports(path: Path) -> set[str]:
    """Every kg module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("kg."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("kg."))
    return found


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(KG.rglob("*.py")) if "_data" not in p.parts}


def test_the_layer_table_knows_every_subpackage():
    subpackages = {unit_of(m) for m, p in modules().items() if p.parent != KG}
    assert subpackages <= set(LAYERS)


def test_imports_run_downwards_only():
    wrong = []
    for name, path in modules().items():
        if name == "kg":
            continue  # the package root exposes the verbs lazily (kg/__init__.py)
        for target in kg_imports(path):
            same_unit = unit_of(target) == unit_of(name)
            if not same_unit and layer_of(target) >= layer_of(name):
                wrong.append(f"{name} (layer {layer_of(name)}) imports {target}")
    assert wrong == []


def test_no_import_cycles():
    graph = {name: {t for t in kg_imports(path)} for name, path in modules().items()}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            cycles.append(" -> ".join(trail[trail.index(node) :] + [node]))
            return
        for target in sorted(graph.get(node, ())):
            visit(target, [*trail, node])

    for start in sorted(graph):
        visit(start, [])
    assert cycles == []


def test_every_verb_is_a_top_level_module_with_its_function():
    import kg

    for verb, module in kg._API.items():
        assert module.count(".") == 1, module
        assert layer_of(module) == VERB_LAYER
        assert callable(getattr(kg, verb))


def test_every_subpackage_says_what_lives_there_and_who_may_import_it():
    for init in sorted(KG.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in doc, init


def test_every_subpackage_ships_in_the_wheel():
    """pyproject.toml lists the packages by name: one left out is missing from an
    installed kg (kg.engine.shacl once was), which only a test installing it would see."""
    import tomllib

    listed = set(
        tomllib.loads((KG.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
            "setuptools"
        ]["packages"]
    )
    packages = {module_name(p) for p in KG.rglob("__init__.py") if "_data" not in p.parts}
    assert packages - listed == set()
