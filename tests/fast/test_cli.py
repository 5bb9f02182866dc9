"""The one command line: every command listed loads lazily under its own name, and a
command imports only what it needs (the sample generator runs without Dagster)."""

import subprocess
import sys

from click.testing import CliRunner

from orchestration.cli import COMMANDS, cli


def test_every_command_is_listed_and_answers_help():
    runner = CliRunner()
    listing = runner.invoke(cli, ["--help"])
    assert listing.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in listing.output
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
    assert runner.invoke(cli, ["no-such-command"]).exit_code == 2


def test_a_command_imports_only_its_own_modules():
    code = (
        "import sys; from click.testing import CliRunner; from orchestration.cli import cli; "
        "CliRunner().invoke(cli, ['sample', '--help']); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dagster', 'matplotlib', 'sklearn', 'dbt'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
