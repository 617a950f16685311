"""Which Python distributions the collection needs at run time, found by reading the code (AST), not by trust.

The closure starts from every file of plugins/ and from the plugin file of every FQCN module, filter, test or
lookup of another collection that the roles and playbooks use (they run in the same Python: the execution
environment's, connection local). From there it follows `ansible_collections.*` imports (absolute and relative)
into the installed collections, transitively. Imports are read at module level, including the bodies of
`try:` blocks (amazon.aws imports botocore in `try: ... except ImportError`) and `if` blocks (not
`if TYPE_CHECKING:`), but not inside functions. What remains after dropping the standard library, `ansible`
and `ansible_collections` is mapped to distributions with importlib.metadata.packages_distributions().
"""

import ast
import importlib.metadata
import importlib.util
import re
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWN = ("payments", "infra")
PLUGIN_KINDS = ("modules", "filter", "test", "lookup", "action")
FQCN = re.compile(r"\b([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\b")


@cache
def installed_collections_root():
    """The ansible_collections directory the ansible package installed (amazon.aws, community.aws, ...)."""
    spec = importlib.util.find_spec("ansible_collections.amazon.aws")
    return Path(next(iter(spec.submodule_search_locations))).resolve().parents[1]


def collection_dir(namespace, name):
    if (namespace, name) == OWN:
        return ROOT
    path = installed_collections_root() / namespace / name
    return path if path.is_dir() else None


def _module_level_imports(tree):
    """(module, level, names) of each import statement at module level, try/if bodies included."""
    pending = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, 0, ()
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level, tuple(alias.name for alias in node.names)
        elif isinstance(node, ast.Try):
            pending.extend(node.body)
        elif isinstance(node, ast.If):
            # `if TYPE_CHECKING:` imports never run.
            checking = "TYPE_CHECKING" in ast.unparse(node.test)
            pending.extend(node.orelse if checking else node.body + node.orelse)


def _collection_of(path):
    """(namespace, name, collection root) of a file inside a collection."""
    path = path.resolve()
    if path.is_relative_to(ROOT.resolve()):
        return (*OWN, ROOT.resolve())
    parts = path.relative_to(installed_collections_root()).parts
    return parts[0], parts[1], installed_collections_root() / parts[0] / parts[1]


def _resolve(dotted):
    """File of an ansible_collections.<ns>.<name>.<...> module (or package), or None when not installed."""
    parts = dotted.split(".")
    if len(parts) < 4 or parts[0] != "ansible_collections":
        return None
    base = collection_dir(parts[1], parts[2])
    if base is None:
        return None
    target = base.joinpath(*parts[3:])
    for candidate in (target.with_suffix(".py"), target / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _absolute(path, module, level):
    """Dotted ansible_collections name of a relative import made in path."""
    namespace, name, root = _collection_of(path)
    package = [
        "ansible_collections",
        namespace,
        name,
        *path.resolve().relative_to(root).with_suffix("").parts[:-1],
    ]
    package = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join([*package, module] if module else package)


def start_files():
    """plugins/**/*.py of this collection plus the plugin files of the other collections' FQCNs used."""
    files = set((ROOT / "plugins").rglob("*.py"))
    texts = [p.read_text() for pattern in ("roles/**/*.yml", "playbooks/*.yml") for p in ROOT.glob(pattern)]
    for namespace, name, plugin in {m.groups() for text in texts for m in FQCN.finditer(text)}:
        if (namespace, name) in (OWN, ("ansible", "builtin")):
            continue
        base = collection_dir(namespace, name)
        if base is None:
            continue
        for kind in PLUGIN_KINDS:
            candidate = base / "plugins" / kind / f"{plugin}.py"
            if candidate.is_file():
                files.add(candidate)
    return sorted(files)


@cache
def third_party_imports():
    """{top-level import name: sorted files (relative) that import it} over the closure of start_files()."""
    seen = set()
    pending = list(start_files())
    found = {}
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        tree = ast.parse(path.read_text(), filename=str(path))
        for module, level, names in _module_level_imports(tree):
            dotted = _absolute(path, module, level) if level else module
            if dotted.startswith("ansible_collections."):
                targets = [_resolve(dotted)] + [_resolve(f"{dotted}.{n}") for n in names]
                pending.extend(t for t in targets if t is not None)
                continue
            top = dotted.split(".", 1)[0]
            if top in sys.stdlib_module_names or top in ("ansible", "__future__"):
                continue
            found.setdefault(top, set()).add(str(path))
    return {top: sorted(files) for top, files in sorted(found.items())}


def imported_distributions():
    """{distribution: [import names]} of the third-party imports; an import no installed distribution provides
    is listed under "?<name>"."""
    providers = importlib.metadata.packages_distributions()
    result = {}
    for top in third_party_imports():
        for distribution in providers.get(top, [f"?{top}"]):
            result.setdefault(distribution, []).append(top)
    return result
