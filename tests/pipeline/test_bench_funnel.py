"""The benchmark's correctness assertion, on the shared test build: the funnel model
and ClickHouse's windowFunnel (chdb) give the same accounts per step on the
accounts without timestamp ties (bench/funnel_peer.py says why only those)."""

from bench.funnel_peer import comparable, export_events, read_funnels, run_peer, step_counts_without_ties


def test_the_funnel_model_agrees_with_window_funnel_without_ties(built, tmp_path):
    events, levels = tmp_path / "events.parquet", tmp_path / "levels.parquet"
    assert export_events(built.warehouse, events) > 10_000
    run_peer(events, levels)
    model, peer = step_counts_without_ties(built.warehouse, events, levels)
    assert model == peer
    compared = {funnel for funnel, _, _ in model}
    assert compared == {name for name, (_, steps) in read_funnels().items() if comparable(steps)}
    # Not a trivial agreement: every step of every compared funnel is reached by someone.
    assert all(accounts > 0 for _, _, accounts in model)
    assert len(model) == sum(len(steps) for _, steps in (read_funnels()[f] for f in compared))
