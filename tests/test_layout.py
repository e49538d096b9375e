"""Imports between apps flow one way: units ← notifications ← evaluations ← scoring ← reports.

The project package (`pekppp/`) may import every app; the apps may use only its `lib/`
helpers and the API base every app's `api` module builds on (`pekppp.api`: paging, errors,
throttling; it imports no app). The pure scoring engine (`scoring.engine`, no Django) may be
used by every app.
"""

import ast
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
APPS = ("units", "notifications", "evaluations", "scoring", "reports")
# Usable from anywhere: no app state.
SHARED = ("scoring.engine", "pekppp.lib", "pekppp.api")
# What each app may not import (besides SHARED): the apps after it, and the project package.
FORBIDDEN = {
    "units": ("notifications", "evaluations", "scoring", "reports", "pekppp"),
    "notifications": ("evaluations", "scoring", "reports", "pekppp"),
    "evaluations": ("scoring", "reports", "pekppp"),
    "scoring": ("reports", "pekppp"),
    "reports": ("pekppp",),
}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def imported_names(tree: ast.AST) -> list[str]:
    """Every absolute module (or module.name for `from m import name`) a file imports."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from scoring import engine` imports the module scoring.engine.
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def violations() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for name in imported_names(ast.parse(path.read_text(encoding="utf-8"))):
                if any(_within(name, shared) for shared in SHARED):
                    continue
                if any(_within(name, other) for other in FORBIDDEN[app]):
                    found.append(f"{relative} imports {name}")
    return found


def selectors_importing_services() -> list[str]:
    """Reads never call writes: no module of an app's `selectors` imports its `services`."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).glob("selectors*/**/*.py")) + sorted(
            (ROOT / app).glob("selectors*.py")
        ):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.ImportFrom):
                    continue
                module = "." * node.level + (node.module or "")
                names = [module] + [f"{module}.{alias.name}" for alias in node.names]
                if any(part == "services" for n in names for part in n.split(".")):
                    found.append(f"{path.relative_to(ROOT).as_posix()} imports {module}")
    return found


class LayoutTests(SimpleTestCase):
    def test_it_keeps_imports_between_apps_flowing_one_way(self):
        self.assertEqual(violations(), [])

    def test_it_keeps_selectors_from_importing_services(self):
        self.assertEqual(selectors_importing_services(), [])

    def test_it_catches_an_import_against_the_flow(self):
        tree = ast.parse(
            "from scoring import engine, models\nimport reports.tasks\nfrom .x import y\n"
        )
        self.assertEqual(
            imported_names(tree), ["scoring.engine", "scoring.models", "reports.tasks"]
        )
