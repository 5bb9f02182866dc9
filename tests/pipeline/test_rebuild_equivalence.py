"""Principle 1, checked differentially (tests/support/rebuild_equivalence.py): after each of a seeded
random sequence of changes (seed, var and SQL edits, late and re-delivered landing dates, rows
removed, files deleted or replaced, a new as-of, out-of-order backfills, a killed run) and
the ordinary command for it, every table and view of the warehouse equals a from-scratch
build of the same inputs. `make soak` runs a longer sequence on a bigger sample, with the
data tests, and the same check with the fingerprint, or the per-account digest, switched
off: it must fail, or it could not catch anything (marked `soak`: not in `make test`)."""

import pytest

from tests.support.commands import generate_sample
from tests.support.readme_recipes import EXPECTED
from tests.support.rebuild_equivalence import (
    BOOKKEEPING_COLUMNS,
    CHANGES,
    ReferenceBuilder,
    Workspace,
    compare_warehouses,
    create_workspace,
    edit_milestones,
    relation_count,
    replace_accounts,
    run_random_steps,
)

pytestmark = pytest.mark.slow

# Each kind of change once (the README's recipes among them); `make soak` runs 80 on a
# bigger sample.
STEPS = len(CHANGES)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    # From 2026-01-01 (the generator's default) over 45 days: the dates the README's recipes name.
    return generate_sample(tmp_path_factory.mktemp("rebuild") / "landing", 40, 45, 5)


@pytest.fixture(scope="module")
def reference_builder():
    builder = ReferenceBuilder()
    yield builder
    builder.close()


def test_every_table_equals_a_full_rebuild_after_each_of_a_random_sequence_of_changes(
    sample, reference_builder, tmp_path
):
    ws = create_workspace(tmp_path, sample, seed=2026, recipes=True)
    ws.reference = reference_builder
    done = run_random_steps(ws, STEPS)
    assert len(done) == STEPS
    # The README's recipes were among the changes, run literally.
    assert not ws.pending_recipes
    assert sum("README recipe" in line for line in done) == len(EXPECTED - {"shell-setup", "publish"})
    # Every relation of the warehouse was compared.
    assert relation_count(ws.warehouse("reference")) >= 60


def _disable(ws: Workspace, relpath: str, old: str, new: str) -> None:
    """Edit the machinery, then start from a warehouse equal to a full rebuild."""
    ws.edit_file(relpath, old, new)
    ws.dbt("build", "--full-refresh")
    ws.rebuild_reference()
    assert compare_warehouses(ws.warehouse("incremental"), ws.warehouse("reference")) == []


@pytest.mark.parametrize(
    ("mutation", "change"),
    [
        (
            # The fingerprint never sees a change: a seed edit is not recomputed.
            (
                "macros/incremental/fingerprint.sql",
                "{{ return(changed_inputs() | length > 0) }}",
                "{{ return(false) }}",
            ),
            edit_milestones,
        ),
        (
            # No account is ever recomputed: a changed sign-up or segment stays out of the
            # account-level models. (Late events are a weaker probe: on a small sample their
            # copies may change no milestone, funnel step or active week.)
            (
                "macros/incremental/accounts.sql",
                "where current_signatures.account_signature is distinct from stored._account_signature",
                "where false",
            ),
            replace_accounts,
        ),
    ],
    ids=["fingerprint", "account_digest"],
)
@pytest.mark.soak
def test_the_check_fails_when_the_incremental_machinery_is_switched_off(
    sample, reference_builder, tmp_path, mutation, change
):
    ws = create_workspace(tmp_path, sample, seed=7)
    _disable(ws, *mutation)
    ws.reference = reference_builder
    # The data itself must differ, not only the bookkeeping columns the machinery writes.
    for _ in range(3):  # a random edit may by chance change nothing the data shows
        what, differences = ws.step(change, ignored=BOOKKEEPING_COLUMNS)
        if differences:
            break
    assert differences, f"the mutation went unnoticed after: {what}"
