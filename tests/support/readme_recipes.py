"""The recipes of the README and docs/, as the tests run them: literally.

A recipe is a fenced bash block right after a `<!-- recipe: NAME -->` comment. The
`shell-setup` recipe (activate the virtualenv, point dbt at the profiles) starts every
other one, in a fresh shell whose only settings are the ones the test passes (where the
landing zone and the warehouse are). A changed recipe changes what the tests run.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
RECIPE = re.compile(r"<!-- recipe: ([a-z0-9-]+) -->\s*\n```bash\n(.*?)\n```", re.S)
# The recipes the tests expect to find (tests/test_readme_recipes.py checks the list).
EXPECTED = {
    "shell-setup",
    "add-a-milestone",
    "add-a-funnel",
    "add-a-segment",
    "change-a-window",
    "replay-as-of",
    "backfill",
    "publish",
}
FRESH_SHELL = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def documents(root: Path = REPO_ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("**/*.md"))]


def recipes(root: Path = REPO_ROOT) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in documents(root):
        if path.exists():
            for name, body in RECIPE.findall(path.read_text()):
                if name in found:
                    raise ValueError(f"recipe {name} is written twice (again in {path.name})")
                found[name] = body
    return found


def run_recipe(name: str, cwd: Path, settings: dict[str, str], home: Path) -> str:
    """Run a recipe in `cwd` (a checkout of the project), in a fresh bash; its output."""
    known = recipes(cwd)
    script = f"set -euo pipefail\n{known['shell-setup']}\n{known[name]}\n"
    env = {**FRESH_SHELL, "HOME": str(home), **settings}
    home.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    if result.returncode != 0:
        raise AssertionError(
            f"README recipe {name} failed ({result.returncode}):\n{script}\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout
