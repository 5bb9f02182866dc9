"""What a newcomer meets first: `make help` prints real addresses, and the default
install (`make install`, `make demo`) leaves the optional groups out (pyproject.toml)
while the targets whose tests need them (`make test`, `make bench`) add them."""

import os
import re
import subprocess
import tomllib

from tests.support.commands import REPO_ROOT


def test_make_help_prints_the_ui_and_docs_addresses_with_their_ports():
    shown = subprocess.run(
        ["make", "--no-print-directory", "-s", "help", "UI_PORT=3123", "DOCS_PORT=8123"],
        cwd=REPO_ROOT,
        env={**os.environ, "MAKEFLAGS": ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "http://127.0.0.1:3123" in shown and "http://127.0.0.1:8123" in shown, shown
    assert "$(" not in shown, shown


def test_spark_and_chdb_are_optional_groups_that_make_test_and_make_bench_install():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    groups = project["dependency-groups"]
    defaults = set(project["tool"]["uv"]["default-groups"])
    required = " ".join(project["project"]["dependencies"])
    assert any(d.startswith("pyspark") for d in groups["spark"])
    assert any(d.startswith("chdb") for d in groups["bench"])
    assert {"spark", "bench"}.isdisjoint(defaults)
    assert "pyspark" not in required and "chdb" not in required
    makefile = (REPO_ROOT / "Makefile").read_text()
    prerequisites = dict(re.findall(r"^([a-z-]+):([^#\n]*)", makefile, re.M))
    for target in ("test", "bench", "bench-quick", "soak"):
        assert "install-extras" in prerequisites[target].split(), target
    assert "--group spark --group bench" in makefile
    # The demo's chain: demo -> sample -> install, never the extras.
    assert "install-extras" not in prerequisites["demo"] + prerequisites["sample"] + prerequisites["install"]
