"""Risk samples in blocks: the draws, the factors and the cached bases, checked by hand.

The engine's answers are checked against a HiGHS re-solve of every month in
``test_risk_reuse.py``; here are the pieces it is built of, on inputs small enough to work out
by hand.
"""

from __future__ import annotations

import pickle
import tempfile
from pathlib import Path

import numpy as np
import pytest

import corridor
from corridor import risk
from corridor.risk import (
    BLOCK,
    Engine,
    Exchange,
    Outages,
    RiskProblem,
    RiskSpec,
    block_factors,
    monthly_factors,
    run_risk,
)

DAYS = np.array([31.0, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def spec(k: int, routes: tuple[int, ...], factor: float) -> RiskSpec:
    return RiskSpec(f"r{k}", f"risk {k}", routes, "poisson", 1.0, 10.0, 0.0, factor)


def outages(size: int, rows: list[tuple[int, int, float, float]]) -> Outages:
    """Outages from (sample, risk, start day, end day) rows."""
    a = np.array(rows, float).reshape(-1, 4)
    return Outages(size, a[:, 0].astype(np.int64), a[:, 1].astype(np.int64), a[:, 2], a[:, 3])


def test_overlapping_outages_count_the_lowest_factor_each_day() -> None:
    risks = [spec(0, (0,), 0.5), spec(1, (0, 1), 0.0)]
    # sample 0: route 0 at half from day 0 to 10 and shut from day 5 to 20 (overlap 5-10);
    # sample 1: routes 0 and 1 shut from day 25 to 40 (6 days of January, 9 of February)
    out = outages(2, [(0, 0, 0.0, 10.0), (0, 1, 5.0, 20.0), (1, 1, 24.6, 40.4)])
    f = block_factors(out, risks, DAYS)
    table = f.dense()
    assert f.routes.tolist() == [0, 1]
    # January, route 0 of sample 0: 5 days at 0.5, 15 days at 0, 11 days at 1
    assert table[0, 0, 0] == pytest.approx((5 * 0.5 + 11) / 31, abs=1e-12)
    # the same outage shuts route 1 too, alone there: 15 days at 0
    assert table[0, 1, 0] == pytest.approx(16 / 31, abs=1e-12)
    # sample 1, whole days rounded: 25 to 40 is 6 days of January and 9 of February
    assert table[1, 1, 0] == pytest.approx(25 / 31, abs=1e-12)
    assert table[1, 1, 1] == pytest.approx(19 / 28, abs=1e-12)
    assert table[1, 0].tolist() == table[1, 1].tolist()  # risk 1 hits both routes
    assert (table[:, :, 2:] == 1).all()
    # only the rows with an outage in a month are listed for it
    assert f.rows[0].tolist() == [0, 1]
    assert f.rows[1].tolist() == [1]
    assert f.rows[2].tolist() == []
    for i in range(2):  # the same as one sample at a time
        for r, want in monthly_factors(out.of(i), risks, DAYS).items():
            np.testing.assert_allclose(table[i, r], want, rtol=0, atol=1e-12)


def test_outages_take_drop_and_join() -> None:
    out = outages(3, [(0, 0, 1.0, 2.0), (2, 0, 3.0, 4.0), (2, 1, 5.0, 6.0), (1, 1, 7.0, 8.0)])
    assert out.counts().tolist() == [1, 1, 2]
    part = out.take(np.array([1, 2]))
    assert part.size == 2
    assert part.of(0) == [(1, 7.0, 8.0)]
    assert part.of(1) == [(0, 3.0, 4.0), (1, 5.0, 6.0)]
    assert part.without(0).of(1) == [(1, 5.0, 6.0)]
    joined = Outages.concat([out.take(np.array([0])), part])
    assert joined.size == 3
    assert [joined.of(i) for i in range(3)] == [out.of(0), out.of(1), out.of(2)]


def test_a_sample_is_the_same_whatever_the_range_it_is_drawn_in(
    kazakhstan: corridor.Network,
) -> None:
    p = RiskProblem.from_network(kazakhstan)
    a, b = BLOCK - 40, BLOCK + 40  # across the boundary of two blocks
    whole = Engine(p).samples(3, a, b)
    parts = np.concatenate([Engine(p).samples(3, a, BLOCK - 7), Engine(p).samples(3, BLOCK - 7, b)])
    np.testing.assert_allclose(whole, parts, rtol=0, atol=1e-9)
    one = Engine(p)
    single = np.array([one.sample(3, i) for i in range(a, b, 9)])
    np.testing.assert_allclose(single, whole[::9], rtol=0, atol=1e-9)
    assert whole[:, 2].sum() > 0  # outages were drawn
    assert not np.array_equal(whole[:40], Engine(p).samples(4, a, BLOCK))  # the seed matters


def test_a_line_keeps_disjoint_pieces_and_answers_each_in_its_own() -> None:
    from corridor import risk

    line = risk._Line()
    line.add(0.0, 10.0, np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    line.add(5.0, 20.0, np.array([2.0, 0.0]), np.array([0.0, 2.0]))  # only (10, 20] is new
    line.add(30.0, 40.0, np.array([3.0, 0.0]), np.array([0.0, 0.0]))
    assert line.lo.tolist() == [0.0, 10.0, 30.0]
    assert line.hi.tolist() == [10.0, 20.0, 40.0]
    ok, out = line.lookup(np.array([-1.0, 4.0, 15.0, 25.0, 35.0]))
    assert ok.tolist() == [False, True, True, False, True]
    assert out.tolist() == [[1.0, 4.0], [2.0, 30.0], [3.0, 0.0]]


def test_the_engine_answers_most_months_from_lines_and_stacks(
    kazakhstan: corridor.Network,
) -> None:
    p = RiskProblem.from_network(kazakhstan)
    engine = Engine(p)
    engine.samples(1, 0, 3000)
    first = engine.solves
    engine.samples(1, 3000, 6000)
    assert engine.lines  # bases laid out along single routes ...
    assert engine.stacks or engine.fitted  # ... and kept per pattern of moved routes
    # once warm, far fewer solves than months with outages that screening let through
    assert engine.solves - first < 3000 * 12 / 50


def test_a_warm_engine_equals_a_resolve_on_its_hardest_samples(
    kazakhstan: corridor.Network,
) -> None:
    # once lines and stacks hold many bases, the samples with the most outages (several
    # routes moved in a month: the stacks' rows) still equal a HiGHS re-solve of each month
    from .test_risk_reuse import plain

    p = RiskProblem.from_network(kazakhstan)
    engine = Engine(p)
    rows = engine.samples(2, 0, 6000)
    hardest = np.argsort(-rows[:, 2], kind="stable")[:40]
    assert rows[hardest, 2].min() >= 4
    for i in hardest:
        want = plain(p, 2, int(i))
        assert rows[i, 0] == pytest.approx(want[0], abs=1e-6)
        assert rows[i, 1] == pytest.approx(want[1], abs=1e-6, nan_ok=True)
    assert engine.stacks


def test_an_engine_that_adopts_anothers_bases_solves_nothing_it_already_found(
    kazakhstan: corridor.Network, tmp_path: Path
) -> None:
    # two workers' engines joined by an Exchange: the second evaluates the samples the first
    # did with the first's bases, without a solve of its own, and gives the same numbers as
    # an engine working alone; the run's process (the third reader) reads every basis once
    p = RiskProblem.from_network(kazakhstan)
    first, second, alone = Engine(p), Engine(p), Engine(p)
    first.exchange, second.exchange = Exchange(tmp_path, 0, 2), Exchange(tmp_path, 1, 2)
    want = alone.samples(4, 0, 2000)
    assert alone.solves > len(p.month_days) + 20  # the samples need solves of their own
    assert np.array_equal(first.samples(4, 0, 2000), want)
    before = second.solves
    assert np.array_equal(second.samples(4, 0, 2000), want)
    assert second.solves == before
    run = Exchange(tmp_path, 2, 2)
    sent = run.take()
    assert 0.9 * (first.solves - len(p.month_days)) <= len(sent) <= first.solves  # one a solve
    assert run.take() == []
    assert not (tmp_path / "2").exists()  # the run's process only reads
    for x in (first.exchange, second.exchange, run):
        x.close()


def test_an_exchange_leaves_a_record_not_yet_whole_for_later(tmp_path: Path) -> None:
    reader = Exchange(tmp_path, 1, 2)
    assert reader.take() == []  # nothing sent yet: no file, no wait
    item = (3, (b"\x01",), "basis")
    data = pickle.dumps(item)
    record = len(data).to_bytes(8, "little") + data
    with open(tmp_path / "0", "ab") as f:
        f.write(record + record[:5])
        f.flush()
        assert reader.take() == [item]  # the whole record; the cut one waits
        f.write(record[5:])
        f.write(record[:12])  # a header and a part, as a worker that ended would leave
        f.flush()
        assert reader.take() == [item]
        assert reader.take() == []
    reader.close()


def test_a_basis_already_kept_is_not_adopted_twice(kazakhstan: corridor.Network) -> None:
    p = RiskProblem.from_network(kazakhstan)
    engine = Engine(p)
    engine.samples(4, 0, 500)
    g, b = next((g, v[0]) for g, v in engine.bases.items() if v)
    kept = len(engine.bases[g])
    copy = pickle.loads(pickle.dumps(b))  # as it comes from another worker
    assert engine.adopt([(g, (b"\x01",), copy)]) == []
    assert len(engine.bases[g]) == kept
    assert (g, b"\x01") not in engine.fitted


def test_bases_from_another_worker_serve_other_samples_and_stay_for_late_lines(
    kazakhstan: corridor.Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one worker's bases, read by another before it starts: the other's own samples need
    # far fewer solves and give the numbers it gives alone; a month pattern keeps more bases
    # than a stack holds, so lines laid out after the bases came still have them
    monkeypatch.setattr(risk, "MAX_BASES", 16)  # stacks of 16 bases; lines still hold 256
    p = RiskProblem.from_network(kazakhstan)
    sender = Engine(p)
    sender.exchange = Exchange(tmp_path, 1, 2)
    sender.samples(5, BLOCK, 2 * BLOCK)
    alone, reader = Engine(p), Engine(p)
    reader.exchange = Exchange(tmp_path, 0, 2)
    adopted = reader.adopt()
    sent = sender.solves - len(p.month_days)  # a solve's basis, unless HiGHS found a known one
    assert 0.9 * sent <= len(adopted) <= sent
    assert max(len(v) for v in reader.bases.values()) > risk.MAX_BASES
    assert not reader.lines  # none laid out yet
    want = alone.samples(5, 0, 4000)
    assert np.array_equal(reader.samples(5, 0, 4000), want)
    assert reader.solves - len(p.month_days) < (alone.solves - len(p.month_days)) / 3
    for x in (sender.exchange, reader.exchange):
        x.close()


def test_a_pool_run_leaves_no_folder_of_bases(
    kazakhstan: corridor.Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    p = RiskProblem.from_network(kazakhstan)
    result = run_risk(p, n=300, seed=3, workers=2, chunk=50)
    assert len(result.samples) == 300
    assert list(tmp_path.iterdir()) == []
