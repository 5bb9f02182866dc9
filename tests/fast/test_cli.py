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


def test_onboarding_run_creates_the_dagster_storage_before_the_run_process_starts(tmp_path, monkeypatch):
    """`onboarding run` follows the run in DAGSTER_HOME while `dagster job execute` runs it:
    were both to create a new DAGSTER_HOME's storage at once, its run database would get two
    schema versions and no later Dagster process (the UI) could open it. So the storage
    exists, and opens, before the run's process is started."""
    import dagster

    from orchestration.transform import console

    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    seen, popen = {}, subprocess.Popen

    def start(command, **kwargs):  # the run's process: here one that exits at once
        seen["storage"] = sorted(p.name for p in (home / "history").glob("*.db"))
        return popen([sys.executable, "-c", "pass"], **kwargs)

    monkeypatch.setattr(console.subprocess, "Popen", start)
    result = CliRunner().invoke(cli, ["run", "some_job", "--log", str(tmp_path / "run.log")])
    assert result.exit_code == 0, result.output
    assert seen["storage"] == ["runs.db"]
    with dagster.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_runs() == []
