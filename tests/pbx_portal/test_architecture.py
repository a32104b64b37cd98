"""The shape of the code, checked on every run: imports point down only, no import cycle, and only
integrations/graph/ knows Microsoft Graph's URLs and the names of its fields."""

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("pbx_portal", "organizations", "extensions", "integrations", "contacts", "presence", "sso")
# Rooms from the ground up. A module may import its own room and the rooms on lower floors, never a room on its
# own floor or above (two rooms on one floor know nothing of each other).
FLOORS = (
    ("pbx_portal",),
    ("organizations",),
    ("extensions",),
    ("integrations.graph",),
    ("integrations",),
    ("integrations.sync",),
    ("integrations.sync.realtime",),
    ("integrations.sync.users", "presence", "sso"),
    ("contacts", "integrations.scim"),
)
ROOMS = sorted((room for floor in FLOORS for room in floor), key=len, reverse=True)
FLOOR_OF = {room: level for level, floor in enumerate(FLOORS) for room in floor}
COMPOSITION_ROOTS = {"pbx_portal.urls", "pbx_portal.wsgi", "pbx_portal.asgi"}  # they name every app (by string)
GRAPH_FIELDS = ("displayName", "givenName", "userPrincipalName", "accountEnabled", "userType", "businessPhones",
                "mobilePhone", "jobTitle", "employeeId", "onPremisesExtensionAttributes", "emailAddresses",
                "homePhones", "companyName", "parentFolderId", "verifiedDomains", "passwordCredentials",
                "redirectUris", "subscriptionId", "clientState", "@odata", "@removed", "graph.microsoft.com/v1.0")
GRAPH_PATH = re.compile(r"^/(users|groups|organization|applications|communications|subscriptions|contacts|me)\b")


def room_of(module: str) -> str | None:
    return next((room for room in ROOMS if module == room or module.startswith(room + ".")), None)


def product_modules():
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            # A package's __init__ stands for the package; "from . import x" in it means package.x.
            yield module.removesuffix(".__init__"), path, ast.parse(path.read_text())


def imports_of(tree: ast.AST, module: str, path: Path) -> set[str]:
    found = set()
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or node.level):
            parent = package[:len(package) - node.level + 1]
            base = node.module if node.level == 0 else ".".join([*parent, *([node.module] if node.module else [])])
            submodules = {f"{base}.{alias.name}" for alias in node.names}
            found.update(submodules)
            if not all((ROOT / name.replace(".", "/")).with_suffix(".py").exists() for name in submodules):
                found.add(base)  # names defined in base itself (not only its submodules)
    return {name for name in found if name.split(".")[0] in PRODUCT}


def test_imports_point_down_only():
    upward = []
    for module, path, tree in product_modules():
        if module in COMPOSITION_ROOTS:
            continue
        room = room_of(module)
        for imported in imports_of(tree, module, path):
            target = room_of(imported)
            if target is None or target == room:
                continue
            if FLOOR_OF[target] >= FLOOR_OF[room]:
                upward.append(f"{module} -> {imported}")
    assert not upward, "imports that point up or sideways:\n" + "\n".join(sorted(upward))


def test_the_graph_client_knows_no_django_and_no_app():
    for module, _path, tree in product_modules():
        if room_of(module) == "integrations.graph":
            names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
            names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
            assert not {n for n in names if n.split(".")[0] in ("django", *PRODUCT) and
                        not n.startswith("integrations.graph")}, module


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components: every component of two or more modules is a cycle."""
    graph = defaultdict(set, graph)
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(set(graph)):
        if node not in index:
            visit(node)
    return cycles


def test_the_checks_themselves_find_what_they_look_for():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
    assert room_of("contacts.sync.engine") == "contacts" and room_of("integrations.sync.users.views") == \
        "integrations.sync.users"
    assert FLOOR_OF[room_of("extensions.views")] < FLOOR_OF[room_of("integrations.sync.models")]


def test_no_import_cycle():
    modules = {module for module, _path, _tree in product_modules()}
    graph = defaultdict(set)
    for module, path, tree in product_modules():
        for imported in imports_of(tree, module, path):
            while imported and imported not in modules:  # "pkg.mod.name" -> "pkg.mod"
                imported = imported.rpartition(".")[0]
            if imported and imported != module and not module.endswith(".apps"):
                graph[module].add(imported)
    cycles = find_cycles(graph)
    assert not cycles, f"import cycles: {cycles}"


def test_only_integrations_graph_knows_graphs_urls_and_field_names():
    leaks = []
    for module, path, tree in product_modules():
        if room_of(module) in ("integrations.graph", "integrations.scim"):  # SCIM has a vocabulary of its own
            continue
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                text = node.value
                if GRAPH_PATH.match(text) or any(name in text for name in GRAPH_FIELDS):
                    leaks.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:60]!r}")
    assert not leaks, "Graph knowledge outside integrations/graph/:\n" + "\n".join(leaks)
