"""Monte Carlo risk: closed-form toys, determinism across workers and Dask, interruption."""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import corridor
from corridor.exceptions import InvalidArgumentError
from corridor.risk import Engine, RiskProblem, RiskResult, draw_block, run_risk
from corridor.scenario import Scenario

from .toy import write_package

FIG = {"source": "s", "confidence": "high", "basis": "reported"}
DAYS = np.array([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], float)  # 2024


def one_route(tmp_path: Path, risk: dict[str, Any], *more: dict[str, Any]) -> corridor.Network:
    """o --a (12 Mt/yr, capacity 12)--> m: no alternative, so an outage strands all of a.

    `risk` (and any `more`, each with its own ``id``) override the fields of a risk on a.
    """
    rows = {
        "sources": [
            {"id": "s", "title": "t", "publisher": "p", "url": "https://e.org", "published": "2024"}
        ],
        "nodes": [
            {
                "id": "o",
                "name": "O",
                "kind": "hub",
                "country": "KAZ",
                "lat": 1,
                "lon": 1,
                "source": "s",
            },
            {"id": "m", "name": "M", "kind": "market", "lat": 2, "lon": 2, "source": "s"},
        ],
        "routes": [
            {
                "id": "a",
                "name": "A",
                "from_node": "o",
                "to_node": "m",
                "mode": "pipeline",
                "commodity": "crude-oil",
                "source": "s",
            }
        ],
        "capacities": [{"route": "a", "year": 2024, "value": 12, "unit": "Mt/year", **FIG}],
        "flows": [
            {"exporter": "KAZ", "route": "a", "year": 2024, "value": 12, "unit": "Mt/year", **FIG}
        ],
        "supply": [
            {
                "exporter": "KAZ",
                "year": 2024,
                "quantity": "exports",
                "value": 12,
                "unit": "Mt/year",
                **FIG,
            }
        ],
        "prices": [{"year": 2024, "benchmark": "b", "value": 500, "unit": "USD/t", **FIG}],
        "risks": [
            {
                "id": "r",
                "name": "R",
                "routes": "a",
                "capacity_factor": 0,
                **FIG,
                "basis": "estimate",
                "note": "test",
                **x,
            }
            for x in (risk, *more)
        ],
    }
    return corridor.load_package(write_package(tmp_path / "one", rows, focus={}))


def test_bernoulli_months_match_the_exact_distribution(tmp_path: Path) -> None:
    # each month out with p = 0.25; loss = 12 Mt/yr x days out / 365.25; exact by enumeration
    n = one_route(tmp_path, {"process": "monthly", "frequency": 3})
    r = run_risk(RiskProblem.from_network(n, year=2024), n=20_000, seed=7)
    p = 0.25
    exact = {}
    for out in itertools.product([0, 1], repeat=12):
        loss = round(12 * float(np.dot(out, DAYS)) / 365.25, 9)
        exact[loss] = exact.get(loss, 0.0) + p ** sum(out) * (1 - p) ** (12 - sum(out))
    values = np.array(sorted(exact))
    cdf = np.cumsum([exact[v] for v in values])
    loss = r.samples["stranded"].to_numpy()
    mean = 12 * p * DAYS.sum() / 365.25
    assert loss.mean() == pytest.approx(mean, abs=3 * loss.std() / np.sqrt(len(loss)))
    # the empirical CDF stays within a Kolmogorov band of the exact one (n = 20,000)
    emp = np.array([(loss <= v + 1e-9).mean() for v in values])
    assert np.abs(emp - cdf).max() < 1.63 / np.sqrt(len(loss))  # 1% level
    assert (loss == 0).mean() == pytest.approx((1 - p) ** 12, abs=0.01)
    for q in (0.5, 0.9, 0.95, 0.99):
        exact_q = values[np.searchsorted(cdf, q)]
        assert r.summary.stranded[f"p{int(q * 100)}"] == pytest.approx(exact_q, abs=0.35)
    assert r.summary.revenue_at_risk["mean"] == pytest.approx(loss.mean() * 1e6 * 500)


def test_poisson_outages_by_hand(tmp_path: Path) -> None:
    # lambda = 0.6 outages a year of exactly 10 days, uniform start, cut at year end:
    # E[days out] = lambda (d - d^2 / 2T) for T = 366 days (overlaps are rare and ignored)
    lam, d, t = 0.6, 10.0, 366.0
    n = one_route(tmp_path, {"process": "poisson", "frequency": lam, "duration_days": d})
    r = run_risk(RiskProblem.from_network(n, year=2024), n=20_000, seed=3)
    outages = r.samples["outages"].to_numpy()
    assert outages.mean() == pytest.approx(lam, abs=3 * np.sqrt(lam / len(outages)))
    expected = 12 * lam * (d - d * d / (2 * t)) / 365.25
    loss = r.samples["stranded"].to_numpy()
    assert loss.mean() == pytest.approx(expected, rel=0.03)
    # a year with k outages loses at most k x 10 days
    assert (loss <= outages * 12 * d / 365.25 + 1e-9).all()


def test_a_risk_run_takes_no_target(kazakhstan: corridor.Network) -> None:
    change = {"type": "target", "route": "btc", "value": 9}
    target = Scenario(name="t", years=[2025], changes=[change])
    with pytest.raises(InvalidArgumentError, match="takes no target"):
        RiskProblem.from_network(kazakhstan, target)


def test_draws_do_not_depend_on_the_risk_dropped() -> None:
    p = RiskProblem.from_network(corridor.load_package())
    a, b = (draw_block(p.risks, 5, 9, p.month_days) for _ in range(2))
    assert a.of(17) == b.of(17)
    assert len(a.sample) == len(b.sample)
    # dropping a risk leaves the other risks' draws as they were
    kept = [x for x in a.of(17) if x[0] != 0]
    assert a.without(0).of(17) == kept
    assert any(x[0] == 0 for i in range(50) for x in a.of(i))  # risk 0 was drawn somewhere


def test_screening_and_memo_change_nothing(kazakhstan: corridor.Network) -> None:
    p = RiskProblem.from_network(kazakhstan)
    fast, plain = Engine(p), Engine(p, screen=False)
    for i in range(150):
        assert fast.sample(11, i) == pytest.approx(plain.sample(11, i), abs=1e-9)
    assert fast.solves < plain.solves


def test_same_seed_same_numbers_on_any_number_of_workers(
    kazakhstan: corridor.Network, tmp_path: Path
) -> None:
    p = RiskProblem.from_network(kazakhstan)
    one = run_risk(p, n=400, seed=2, workers=1, chunk=37)
    two = run_risk(p, n=400, seed=2, workers=2, chunk=50, out=tmp_path / "two")
    assert RiskResult.read(tmp_path / "two").samples.equals(two.samples)
    pd.testing.assert_frame_equal(one.samples, two.samples, check_exact=False, atol=1e-9)
    assert one.summary.stranded == pytest.approx(two.summary.stranded, abs=1e-9)
    pd.testing.assert_frame_equal(
        one.contributions, two.contributions, check_exact=False, atol=1e-9
    )
    other = run_risk(p, n=400, seed=3, workers=1)
    assert not other.samples["stranded"].equals(one.samples["stranded"])


def test_dask_local_cluster_gives_identical_results(kazakhstan: corridor.Network) -> None:
    distributed = pytest.importorskip("dask.distributed")
    p = RiskProblem.from_network(kazakhstan)
    local = run_risk(p, n=300, seed=4, workers=1)
    # the test needs no fixed port: 8787 (Dask's dashboard) and 8786 may be taken
    with contextlib.ExitStack() as taken:
        for port in (8786, 8787):
            s = taken.enter_context(socket.socket())
            with contextlib.suppress(OSError):  # already taken by someone else: as good
                s.bind(("127.0.0.1", port))
                s.listen()
        with (
            distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # None still serves the scheduler's HTTP on 8787
                scheduler_port=0,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            remote = run_risk(p, n=300, seed=4, scheduler=client, chunk=40)
    pd.testing.assert_frame_equal(local.samples, remote.samples, check_exact=False, atol=1e-9)


def test_interruption_leaves_a_readable_partial_result(
    kazakhstan: corridor.Network, tmp_path: Path
) -> None:
    p = RiskProblem.from_network(kazakhstan)
    r = run_risk(p, n=2_000, seed=1, chunk=100, should_stop=lambda done: done >= 300)
    assert r.summary.interrupted
    assert r.summary.samples_finished == 300
    assert list(r.to_dict()) == ["summary", "contributions", "stranded", "histogram"]
    assert len(r.to_dict()["stranded"]) == 300
    assert list(r.summary.to_dict()) == [
        "problem",
        "samples_requested",
        "samples_finished",
        "interrupted",
        "seed",
        "workers",
        "scheduler",
        "seconds",
        "risks",
        "stranded",
        "revenue_at_risk",
        "share_crossing",
        "p95_contributions",
        "seconds_sampling",
        "baseline",
        "complete",
    ]
    assert r.summary.baseline == "reconciled"  # the package has observations of KAZ
    assert repr(r).endswith(
        "samples; stranded P95 " + f"{r.summary.stranded['p95']:,.2f} Mt, interrupted>"
    )
    back = RiskResult.read(r.write(tmp_path / "run"))
    assert back.summary.samples_finished == 300
    assert len(back.samples) == 300
    full = run_risk(p, n=300, seed=1)
    assert back.samples["stranded"].to_numpy() == pytest.approx(full.samples["stranded"].to_numpy())


def test_contributions_add_up_and_name_the_driver(kazakhstan: corridor.Network) -> None:
    r = run_risk(RiskProblem.from_network(kazakhstan), n=1_000, seed=1)
    c = r.contributions
    assert c["share"].sum() == pytest.approx(1)
    tail = r.samples.nlargest(50, "stranded")["stranded"].mean()
    assert c["contribution"].sum() == pytest.approx(tail, rel=0.02)
    assert c.iloc[0]["risk"] == "cpc-terminal-operations"


def test_contributions_are_rescaled_to_each_tail_sample_loss(tmp_path: Path) -> None:
    # two risks that shut the same route, each a month out of two: in a month both hit, neither
    # alone adds to the loss, so the marginal losses add up to less than the loss; rescaled to
    # the sample's loss, the contributions add up to the mean loss of the worst 5 %
    monthly = {"process": "monthly", "frequency": 6}
    n = one_route(tmp_path, monthly, {**monthly, "id": "r2", "name": "R2"})
    r = run_risk(RiskProblem.from_network(n, year=2024), n=400, seed=5)
    worst = r.samples.sort_values(["stranded", "sample"], ascending=[False, True]).head(20)
    c = r.contributions.set_index("risk")
    assert c["contribution"].sum() == pytest.approx(worst["stranded"].mean(), rel=1e-9)
    assert c.at["r", "share"] == pytest.approx(0.5, abs=0.15)  # the same risk twice


def test_risk_cli(cli: CliRunner, tmp_path: Path) -> None:
    from corridor.cli import app

    out = tmp_path / "run"
    res = cli.invoke(app, ["risk", "run", "--n", "200", "--out", str(out), "-f", "json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["samples_finished"] == 200
    assert (out / "samples.parquet").is_file()
    for key in ("mean", "p50", "p90", "p95", "p99"):
        assert key in summary["stranded"]
        assert key in summary["revenue_at_risk"]
    assert "probability_below" in summary["share_crossing"]
    shown = cli.invoke(app, ["risk", "show", str(out)])
    assert shown.exit_code == 0
    assert "Contribution to the loss" in shown.stdout
    missing = cli.invoke(app, ["risk", "show", str(tmp_path / "nope")])
    assert missing.exit_code == 4  # EXIT_CODES[RunStoreError]
    assert "no risk run in" in missing.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_stops_cleanly(kazakhstan: corridor.Network, workers: int) -> None:
    def stop(done: int) -> bool:
        if done >= 200:
            raise KeyboardInterrupt
        return False

    p = RiskProblem.from_network(kazakhstan)
    r = run_risk(p, n=5_000, seed=1, workers=workers, chunk=100, should_stop=stop)
    assert r.summary.interrupted
    assert 200 <= r.summary.samples_finished < 5_000
    assert r.summary.stranded["p95"] is not None
