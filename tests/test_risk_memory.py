"""Risk runs at scale: samples kept compact, streamed to Parquet, stored bounded for the web."""

from __future__ import annotations

import json
import math
import tracemalloc
from pathlib import Path
from typing import Any

import fastparquet
import numpy as np
import pandas as pd
import pytest

import corridor
from corridor import risk
from corridor.exceptions import RunStoreError
from corridor.risk import (
    HISTOGRAM_BINS,
    QUANTILES,
    SAMPLE_COLUMNS,
    STORED_STRANDED,
    RiskProblem,
    RiskResult,
    SampleColumns,
    run_risk,
)
from corridor.solve import TOL
from corridor.store import Store
from corridor.units import T_PER_MT
from corridor.views import build

from .test_risk import one_route
from .test_risk_reuse import toy_risks
from .toy import toy_tables, write_package


@pytest.fixture(scope="module")
def toy_problem(tmp_path_factory: pytest.TempPathFactory) -> RiskProblem:
    """The toy with three risks (an outage of a, the straits, Georgia at 30 %)."""
    rows = toy_tables()
    toy_risks(rows)
    price = {"year": 2024, "benchmark": "b", "value": 500, "unit": "USD/t"}
    rows["prices"] = [{**price, "source": "toy-src", "confidence": "high", "basis": "reported"}]
    folder = write_package(tmp_path_factory.mktemp("toy") / "toy", rows)
    return RiskProblem.from_network(corridor.load_package(folder), year=2024)


def quantile(x: np.ndarray, p: float) -> float:
    """The p-quantile by hand: linear between the order statistics (NumPy's default rule)."""
    v = sorted(float(a) for a in x)
    h = (len(v) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (h - lo) * (v[hi] - v[lo])


def statistics_by_hand(samples: pd.DataFrame, price: float, threshold: float) -> dict[str, Any]:
    s = samples["stranded"].to_numpy()
    share = samples["share_crossing"].to_numpy()
    revenue = [x * T_PER_MT * price for x in s]
    known = [x for x in share if not math.isnan(x)]
    return {
        "stranded": {
            "mean": math.fsum(s) / len(s),
            **{f"p{int(100 * p)}": quantile(s, p) for p in QUANTILES},
        },
        "revenue_at_risk": {
            "mean": math.fsum(revenue) / len(s),
            **{f"p{int(100 * p)}": quantile(np.array(revenue), p) for p in QUANTILES},
        },
        "share_crossing": {
            "mean": math.fsum(known) / len(known),
            "probability_below": sum(x < threshold for x in share) / len(share),
        },
    }


def check_statistics(summary: risk.RiskSummary, samples: pd.DataFrame, price: float) -> None:
    by_hand = statistics_by_hand(samples, price, summary.share_crossing["threshold"])
    for part, values in by_hand.items():
        for key, value in values.items():
            assert getattr(summary, part)[key] == pytest.approx(value, rel=1e-12, abs=1e-12), (
                part,
                key,
            )


# --- the summary: exact, from the compact columns ------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_the_summary_equals_the_statistics_of_all_samples(
    toy_problem: RiskProblem, workers: int
) -> None:
    r = run_risk(toy_problem, n=2_000, seed=5, workers=workers, chunk=150, threshold=0.75)
    df = r.samples
    assert list(df.columns) == list(SAMPLE_COLUMNS)
    assert df["sample"].tolist() == list(range(2_000))
    assert df["outages"].dtype == np.int64
    assert (df["revenue_at_risk"] == df["stranded"] * T_PER_MT * toy_problem.price).all()
    assert 0 < r.summary.share_crossing["probability_below"] < 1  # the threshold means something
    assert toy_problem.price == 500
    assert r.summary.stranded["p99"] > r.summary.stranded["p50"] > 0
    check_statistics(r.summary, df, toy_problem.price)
    assert r.samples is df  # built once, then kept


def test_chunks_out_of_order_with_a_gap_keep_sample_order() -> None:
    # chunks finish in any order; an interrupted run can keep chunks beyond one not finished
    c = risk._Collector(10)
    rows = {a: np.array([[a + i + 0.5, 0.1 * (a + i), i] for i in range(2)]) for a in range(10)}
    for start in (6, 0, 2, 8):  # 4-5 never finished
        c.add(start, rows[start])
    cols = c.columns(price=500.0)
    assert cols.spans == ((0, 4), (6, 10))
    table = cols.table()
    assert table["sample"].tolist() == [0, 1, 2, 3, 6, 7, 8, 9]
    assert table["stranded"].tolist() == [0.5, 1.5, 2.5, 3.5, 6.5, 7.5, 8.5, 9.5]
    assert table["outages"].tolist() == [0, 1, 0, 1, 0, 1, 0, 1]
    assert cols.index(3, 6).tolist() == [3, 6, 7]
    assert [len(f) for f in cols.frames(3)] == [3, 3, 2]
    assert pd.concat(cols.frames(3), ignore_index=True).equals(table)


# --- streaming to the run's folder ---------------------------------------------------------------


def test_a_reader_of_the_folder_sees_each_chunk_as_it_finishes(
    toy_problem: RiskProblem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "run"
    seen: list[RiskResult] = []

    def read(done: int) -> None:
        seen.append(RiskResult.read(folder))

    monkeypatch.setattr(risk, "ROW_GROUP", 128)  # samples.parquet in parts of 128 rows
    r = run_risk(toy_problem, n=1_000, seed=2, chunk=250, out=folder, on_progress=read)
    assert [x.summary.samples_finished for x in seen] == [250, 500, 750, 1_000]
    for x in seen:
        done = x.summary.samples_finished
        assert not x.summary.complete
        assert x.samples["sample"].tolist() == list(range(done))
        assert x.samples["stranded"].tolist() == r.samples["stranded"][:done].tolist()
        check_statistics(x.summary, x.samples, toy_problem.price)
    # the whole run: one row group per 128 samples, the same table as the run's
    with (folder / "samples.parquet").open("rb") as f:
        parquet = fastparquet.ParquetFile(f)
        assert [rg.num_rows for rg in parquet.row_groups] == [128] * 7 + [104]
    back = RiskResult.read(folder)
    pd.testing.assert_frame_equal(back.samples, r.samples, check_exact=True)
    assert back.summary == r.summary
    assert back.to_dict() == json.loads(json.dumps(r.to_dict()))


def test_a_stored_run_is_read_when_used_and_never_another_run_s_samples(
    toy_problem: RiskProblem, tmp_path: Path
) -> None:
    folder = tmp_path / "run"
    run_risk(toy_problem, n=300, seed=1, chunk=100, out=folder)
    back = RiskResult.read(folder)
    assert isinstance(back.sampled, risk.StoredSamples)  # nothing read but the footer
    back.write(folder)  # over its own files: still its samples
    back.write(tmp_path / "copy")
    assert len(back.samples) == 300
    assert RiskResult.read(tmp_path / "copy").samples.equals(back.samples)
    later = RiskResult.read(folder)
    run_risk(toy_problem, n=300, seed=2, chunk=100, out=folder)  # a new run in the same folder
    with pytest.raises(RunStoreError, match=r"samples\.parquet: replaced since the run was read"):
        _ = later.samples
    assert back.samples["sample"].tolist() == list(range(300))  # read before: kept


# --- memory: grows by a few tens of bytes a sample ----------------------------------------------


def peak_bytes(problem: RiskProblem, n: int, out: Path | None) -> tuple[int, int]:
    """Return the peak of traced memory during a run, and that peak outside the P95 parts."""
    inner = risk._contributions
    before, during = [0], [0]

    def contributions(*args: Any, **kwargs: Any) -> pd.DataFrame:
        before[0] = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        result = inner(*args, **kwargs)
        during[0] = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        return result

    risk._contributions = contributions  # type: ignore[assignment]
    tracemalloc.start()
    try:
        run_risk(problem, n=n, seed=1, chunk=1_000, out=out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        risk._contributions = inner
    return max(before[0], peak), max(before[0], during[0], peak)


@pytest.mark.parametrize("stored", [False, True])
def test_memory_grows_by_tens_of_bytes_a_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored: bool
) -> None:
    # a cheap toy: one route, an outage in one year of twenty; 3,000 and 9,000 samples
    n = one_route(tmp_path, {"process": "poisson", "frequency": 0.05, "duration_days": 20})
    problem = RiskProblem.from_network(n, year=2024)
    monkeypatch.setattr(risk, "ROW_GROUP", 1_000)  # the writing's part: a constant
    run_risk(problem, n=500, seed=1)  # imports and caches, before measuring
    small, large = (
        peak_bytes(problem, k, tmp_path / f"run-{k}" if stored else None) for k in (3_000, 9_000)
    )
    per_sample = [(b - a) / 6_000 for a, b in zip(small, large, strict=True)]
    # kept: 20 bytes a sample (stranded, share, outages); the rest is the end's work, one
    # column at a time (before: a list of chunks, their concatenation and the whole table,
    # about 95 bytes a sample)
    assert per_sample[0] < 48, per_sample
    assert per_sample[1] < 48, per_sample  # with the P95 parts (before: 80, a sort of all)


# --- the end of a run: a copy of one column at a time -------------------------------------------


def fake_samples(self: risk.Engine, seed: int, start: int, stop: int) -> np.ndarray:
    """Rows (stranded, share, outages) of a cheap stand-in for the engine's samples."""
    rng = np.random.default_rng([seed, start])
    k = stop - start
    stranded = np.round(np.where(rng.random(k) < 0.3, rng.gamma(2.0, 1.5, k), 0.0), 9)
    return np.column_stack([stranded, np.full(k, 0.9), rng.poisson(0.8, k).astype(float)])


def end_bytes(problem: RiskProblem, n: int, out: Path | None) -> int:
    """Return the peak of memory allocated after the sampling of a run (traced), to its end."""
    inner = risk._Collector.columns
    at = [0]

    def columns(self: risk._Collector, price: float) -> SampleColumns:
        if len(self.stranded) == n:  # the run's samples: the sampling is over
            at[0] = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
        return inner(self, price)

    risk._Collector.columns = columns  # type: ignore[method-assign]
    tracemalloc.start()
    try:
        run_risk(problem, n=n, seed=1, chunk=10_000, out=out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        risk._Collector.columns = inner  # type: ignore[method-assign]
    return peak - at[0]


@pytest.mark.parametrize("stored", [False, True])
def test_the_end_of_a_run_takes_a_copy_of_one_column(
    toy_problem: RiskProblem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored: bool
) -> None:
    # the samples drawn by a stand-in; the statistics, the P95 parts (the real engine on the
    # toy's worst 5 %) and the stored run as in any run
    monkeypatch.setattr(risk.Engine, "samples", fake_samples)
    monkeypatch.setattr(risk, "ROW_GROUP", 10_000)  # the writing's part: a constant
    monkeypatch.setattr(risk, "TAIL_GROUP", 500)  # the P95 parts' too, at either size
    run_risk(toy_problem, n=2_000, seed=1)  # imports and caches, before measuring
    small, large = (
        end_bytes(toy_problem, k, tmp_path / f"run-{k}" if stored else None)
        for k in (20_000, 100_000)
    )
    # one column's copy at a time (the quantiles' buffer, the worst 5 %'s partition: 8 bytes
    # a sample) and the worst 5 %'s numbers, losses and marginals; before: the sample numbers,
    # a negated copy and an index array for the worst 5 %, then the revenue and each
    # quantile's copy, about 25 bytes a sample
    assert (large - small) / 80_000 < 14, (small, large)


# --- the end of a run: the same numbers as before ------------------------------------------------


def statistics_as_before(
    s: np.ndarray, share: np.ndarray, price: float, threshold: float
) -> dict[str, Any]:
    """The statistics as computed before: the revenue column, then one np.quantile a value."""
    r = s * T_PER_MT * price

    def q(x: np.ndarray) -> dict[str, float]:
        return {f"p{int(100 * p)}": float(np.quantile(x, p)) for p in QUANTILES}

    return {
        "stranded": {"mean": float(s.mean()), **q(s)},
        "revenue_at_risk": {"mean": float(r.mean()), **q(r)},
        "share_crossing": {
            "mean": float(np.nanmean(share)),
            "probability_below": float(np.mean(share < threshold)),
        },
    }


@pytest.mark.parametrize("n", [1, 2, 7, 1_000, 100_001])
def test_the_statistics_are_exactly_numpy_s_quantiles(n: int) -> None:
    rng = np.random.default_rng(n)
    # ties (a third of the samples lose nothing, volumes to 3 decimals) and a missing share
    s = np.where(rng.random(n) < 0.3, 0.0, np.round(rng.gamma(2.0, 1.5, n), 3))
    share = rng.random(n)
    share[1::5] = np.nan
    kept = s.copy()
    cols = SampleColumns(((0, n),), s, share, np.zeros(n, np.int32), 503.7)
    got = risk._statistics(cols, 1.5, 503.7, "GEO", 0.4)
    assert np.array_equal(cols.stranded, kept)  # the quantiles sorted a copy
    assert got["stranded"]["no_outage"] == 1.5
    assert got["revenue_at_risk"]["price_usd_per_t"] == 503.7
    for part, values in statistics_as_before(kept, share, 503.7, 0.4).items():
        for key, value in values.items():
            assert got[part][key] == value, (part, key)  # exactly: the same numbers
    if n <= 1_000:
        table = pd.DataFrame({"stranded": kept, "share_crossing": share})
        by_hand = statistics_by_hand(table, 503.7, 0.4)
        for part in ("stranded", "revenue_at_risk"):
            for key, value in by_hand[part].items():
                assert got[part][key] == pytest.approx(value, rel=1e-12, abs=1e-12)


def test_the_statistics_take_one_column_s_copy_at_a_time() -> None:
    n = 200_000
    rng = np.random.default_rng(2)
    share = rng.random(n)
    share[::3] = np.nan  # the mean of the shares known copies them once too
    cols = SampleColumns(((0, n),), rng.random(n), share, np.zeros(n, np.int32), 500.0)
    risk._statistics(cols, 1.0, 500.0, None, 0.8)  # imports, before measuring
    tracemalloc.start()
    try:
        risk._statistics(cols, 1.0, 500.0, None, 0.8)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # 8 bytes a sample and a boolean mask; before: the revenue column and a quantile's copy
    # (or the shares' copy) at once, 18 bytes a sample
    assert peak / n < 11, peak / n


def test_the_statistics_of_no_samples_are_none() -> None:
    cols = SampleColumns((), np.zeros(0), np.zeros(0), np.zeros(0, np.int32), 500.0)
    got = risk._statistics(cols, 2.0, 500.0, None, 0.8)
    assert got["stranded"] == {
        "unit": "Mt",
        "no_outage": 2.0,
        "mean": None,
        **{f"p{int(100 * p)}": None for p in QUANTILES},
    }
    assert got["revenue_at_risk"]["p99"] is None
    assert got["share_crossing"]["probability_below"] is None


def worst_as_before(stranded: np.ndarray, number: np.ndarray, k: int) -> np.ndarray:
    """The worst `k` samples' rows as chosen before (ties: the lowest sample numbers)."""
    worst = stranded[np.argpartition(-stranded, k - 1)[k - 1]] if k < len(stranded) else -np.inf
    above = np.flatnonzero(stranded > worst)
    tied = np.flatnonzero(stranded == worst)
    tied = tied[np.argsort(number[tied], kind="stable")][: k - len(above)]
    chosen = np.concatenate([above, tied])
    return chosen[np.argsort(number[chosen], kind="stable")]


@pytest.mark.parametrize("k", [1, 3, 40, 99, 100])
def test_the_worst_samples_are_those_chosen_before(monkeypatch: pytest.MonkeyPatch, k: int) -> None:
    monkeypatch.setattr(risk, "_SCAN", 7)  # the ties scanned in parts
    rng = np.random.default_rng(k)
    stranded = rng.integers(0, 4, 100).astype(float)  # many ties at the k-th largest
    got = risk._worst(stranded, k)
    assert got.tolist() == worst_as_before(stranded, np.arange(100), k).tolist()
    assert len(got) == k
    assert stranded[got].sum() == np.sort(stranded)[100 - k :].sum()


def test_sample_numbers_of_rows_across_gaps() -> None:
    cols = SampleColumns(
        ((0, 4), (6, 7), (10, 13)), np.arange(8.0), np.zeros(8), np.zeros(8, np.int32), 1.0
    )
    rows = np.array([0, 3, 4, 5, 7])
    assert cols.numbers(rows).tolist() == [0, 3, 6, 10, 12]
    assert cols.numbers(np.arange(8)).tolist() == cols.index().tolist()
    assert cols.values("sample").tolist() == cols.table()["sample"].tolist()
    assert cols.values("revenue_at_risk").tolist() == cols.table()["revenue_at_risk"].tolist()
    assert cols.values("outages").dtype == np.int64


def contributions_as_before(
    problem: RiskProblem, seed: int, number: np.ndarray, stranded: np.ndarray
) -> dict[str, float]:
    """Each risk's part of the P95 loss as computed before: every worst sample at once."""
    engine = risk.Engine(problem)
    k = max(1, math.ceil(0.05 * len(stranded)))
    chosen = worst_as_before(stranded, number, k)
    index = number[chosen]
    loss = stranded[chosen] - engine.nominal_loss
    drawn = engine.outages(seed, index)
    marginal = np.zeros((len(index), len(problem.risks)))
    for j in range(len(problem.risks)):
        rows = np.unique(drawn.sample[drawn.risk == j])
        if not len(rows):
            continue
        without, _ = engine.evaluate_outages(drawn.take(rows).without(j))
        marginal[rows, j] = np.maximum(
            loss[rows] - (np.round(without, 9) - engine.nominal_loss), 0.0
        )
    summed = marginal.sum(axis=1)
    counted = (loss > TOL) & (summed > TOL)
    parts = (loss[counted, None] * marginal[counted] / summed[counted, None]).sum(axis=0) / k
    return {r.id: float(x) for r, x in zip(problem.risks, parts, strict=True)}


@pytest.mark.parametrize("group", [16, 4_096])
def test_the_p95_parts_are_those_computed_before(
    toy_problem: RiskProblem, monkeypatch: pytest.MonkeyPatch, group: int
) -> None:
    monkeypatch.setattr(risk, "TAIL_GROUP", group)  # 16: ten groups of the worst 150
    r = run_risk(toy_problem, n=3_000, seed=3, chunk=500)
    cols = r.sampled
    assert isinstance(cols, SampleColumns)
    before = contributions_as_before(toy_problem, 3, np.arange(3_000), cols.stranded)
    got = dict(zip(r.contributions["risk"], r.contributions["contribution"], strict=True))
    assert got == before  # exactly
    assert sum(got.values()) > 0  # the worst 5 % do lose something
    assert sorted(got.values(), reverse=True) == list(got.values())  # largest first
    # an interrupted run: samples 1,000-1,499 missing
    keep = np.r_[0:1_000, 1_500:3_000]
    gap = SampleColumns(
        ((0, 1_000), (1_500, 3_000)),
        cols.stranded[keep],
        cols.share[keep],
        cols.outages[keep],
        toy_problem.price,
    )
    parts = risk._contributions(toy_problem, 3, gap)
    got = dict(zip(parts["risk"], parts["contribution"], strict=True))
    assert got == contributions_as_before(toy_problem, 3, keep, cols.stranded[keep])


def test_the_p95_parts_where_the_worst_5_percent_mostly_lose_nothing(tmp_path: Path) -> None:
    # one route out in about one year of twenty (and a second risk on it): under 5 % of the
    # samples lose anything, so most of the worst 5 % are not evaluated again
    second = {"id": "r2", "process": "poisson", "frequency": 0.01, "duration_days": 60}
    n = one_route(tmp_path, {"process": "poisson", "frequency": 0.04, "duration_days": 20}, second)
    problem = RiskProblem.from_network(n, year=2024)
    r = run_risk(problem, n=4_000, seed=2, chunk=1_000)
    cols = r.sampled
    assert isinstance(cols, SampleColumns)
    nominal = risk.Engine(problem).nominal_loss
    lost = int((cols.stranded - nominal > TOL).sum())
    assert 0 < lost < 200  # some of the worst 200 samples lose nothing
    got = dict(zip(r.contributions["risk"], r.contributions["contribution"], strict=True))
    assert got == contributions_as_before(problem, 2, np.arange(4_000), cols.stranded)
    assert got["r"] > 0
    assert got["r2"] > 0
    # every sample that loses is in the worst 5 %, its loss shared out among the risks
    loss = cols.stranded - nominal
    assert sum(got.values()) == pytest.approx(loss[loss > TOL].sum() / 200, rel=1e-9)


def test_writing_the_samples_copies_no_column(tmp_path: Path) -> None:
    n = 50_000
    rng = np.random.default_rng(1)
    cols = SampleColumns(
        ((0, n),), rng.random(n), rng.random(n), np.ones(n, np.int32), toy_price := 500.0
    )
    risk._write_samples(tmp_path / "warm.parquet", cols)  # imports, before measuring
    tracemalloc.start()
    try:
        risk._write_samples(tmp_path / "s.parquet", cols)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # one row group's new columns (sample numbers, revenue, outages as int64) and the
    # writer's buffers; before, the table copied every column too (72 bytes a sample)
    assert peak / n < 56, peak / n
    back = pd.read_parquet(tmp_path / "s.parquet")
    pd.testing.assert_frame_equal(back, cols.table(), check_exact=True)
    assert back["revenue_at_risk"].tolist() == (cols.stranded * T_PER_MT * toy_price).tolist()
    frame = next(cols.frames(10))
    with pytest.raises(ValueError, match="read-only"):
        frame["stranded"].to_numpy()[0] = 1.0  # views of the columns: not to be written to


# --- what the web's run store keeps -------------------------------------------------------------


def big_result(toy_problem: RiskProblem, n: int) -> RiskResult:
    """A result of `n` samples (the summary of a small real run): what `to_dict` sees."""
    rng = np.random.default_rng(0)
    stranded = np.round(np.where(rng.random(n) < 0.3, rng.gamma(2.0, 1.5, n), 0.0), 9)
    cols = SampleColumns(
        ((0, n),), stranded, np.full(n, 0.9), np.ones(n, np.int32), toy_problem.price
    )
    small = run_risk(toy_problem, n=50, seed=1)
    return RiskResult(cols, small.summary, small.contributions)


def distribution(view: Any) -> Any:
    """Return the trace of a risk view's distribution figure."""
    figures = [f for s in view.sections for f in s.figures if f.name == "risk-distribution"]
    assert len(figures) == 1
    return figures[0].make().data[0]


def test_the_web_store_of_a_large_run_stays_small(toy_problem: RiskProblem, tmp_path: Path) -> None:
    n = 1_000_000
    r = big_result(toy_problem, n)
    data = r.to_dict()
    assert data["stranded"] is None  # not a million numbers
    counts, edges = data["histogram"]["counts"], data["histogram"]["edges"]
    assert len(counts) == HISTOGRAM_BINS
    assert len(edges) == HISTOGRAM_BINS + 1
    assert sum(counts) == n
    assert edges[0] == r.sampled.stranded.min()
    assert edges[-1] == r.sampled.stranded.max()
    assert counts[0] == int((r.sampled.stranded < edges[1]).sum())
    assert len(json.dumps(data)) < 20_000  # was about 13 MB
    store = Store(f"sqlite:///{tmp_path / 'runs.db'}")
    run = store.create("risk", {"n": n}, "pkg")
    store.finish(run.id, data, "P95")
    kept = store.get(run.id)
    assert kept is not None
    assert kept.result == json.loads(json.dumps(data))
    # the dashboard draws the stored histogram: bars whose heights add up to every sample
    bars = distribution(build.risk_view(kept.result))
    assert bars.type == "bar"
    assert sum(bars.y) == n


def test_a_small_run_keeps_each_sample_and_old_stored_runs_still_draw(
    toy_problem: RiskProblem,
) -> None:
    r = big_result(toy_problem, STORED_STRANDED)
    data = json.loads(json.dumps(r.to_dict()))
    assert data["stranded"] == r.sampled.stranded.tolist()
    assert sum(data["histogram"]["counts"]) == STORED_STRANDED
    old = {k: v for k, v in data.items() if k != "histogram"}  # stored before the histogram
    drawn = distribution(build.risk_view(old))
    assert drawn.type == "histogram"
    assert len(drawn.x) == STORED_STRANDED
