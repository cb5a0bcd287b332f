"""The LP: hand-solved networks, invariants, and agreement with an independent formulation."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from corridor.solve import RerouteModel


def test_cut_with_one_alternative_by_hand() -> None:
    # o --a(10)--> m1 ; o --b(cap 4)--> m2.  Cut a: b takes its 4, 6 are stranded.
    m = RerouteModel(tail=[0, 0], head=[1, 2], n_nodes=3, origins=[0], sinks=[1, 2], cost=[0, 0])
    base = m.solve(supply=[10], route_cap=np.array([10.0, 4.0]), baseline=[10, 0])
    assert base.flow.tolist() == [10, 0]
    assert base.stranded.tolist() == [0]
    cut = m.solve(supply=[10], route_cap=np.array([0.0, 4.0]), baseline=[10, 0])
    assert cut.flow == pytest.approx([0, 4])
    assert cut.stranded == pytest.approx([6])
    assert cut.iterations <= 5  # warm: a bound change, a handful of pivots


def test_tie_range_by_hand() -> None:
    # a cut leaves 10 to place on b or c (spare 6 each): b takes 4 to 6, c the rest
    m = RerouteModel(
        tail=[0, 0, 0], head=[1, 2, 3], n_nodes=4, origins=[0], sinks=[1, 2, 3], cost=[0, 0, 0]
    )
    s = m.solve(supply=[10], route_cap=np.array([0.0, 6.0, 6.0]), baseline=[10, 0, 0])
    ranges = m.flow_range(s, {"b": np.array([1]), "c": np.array([2])})
    assert ranges["b"] == pytest.approx((4, 6), abs=1e-4)
    assert ranges["c"] == pytest.approx((4, 6), abs=1e-4)
    m.solve(supply=[10], route_cap=np.array([0.0, 6.0, 6.0]), baseline=[10, 0, 0])
    with pytest.raises(ValueError, match="latest solution"):
        m.flow_range(s, {"b": np.array([1])})


def test_cheapest_alternative_wins_and_targets_are_met() -> None:
    # equal disruption, different cost: the cheaper leg c (cost 1) takes the volume
    m = RerouteModel(
        tail=[0, 0, 0],
        head=[1, 2, 3],
        n_nodes=4,
        origins=[0],
        sinks=[1, 2, 3],
        cost=[0, 5, 1],
        target_routes=[1],
    )
    s = m.solve(supply=[10], route_cap=np.array([0.0, 20, 20]), baseline=[10, 0, 0], target=[0])
    assert s.flow == pytest.approx([0, 0, 10])
    # a target of 7 on b pulls volume there, against its cost
    s = m.solve(supply=[10], route_cap=np.array([10.0, 20, 20]), baseline=[10, 0, 0], target=[7])
    assert s.flow[1] == pytest.approx(7)
    assert s.shortfall == pytest.approx([0])


def test_stranding_least_comes_before_meeting_a_target() -> None:
    # o1 --r1--> j --c (10)--> m ;  o2 --r2 (target 10)--> j ;  o2 --d (10)--> m2 ;  o1 --e--> m3
    # Baseline: o2's 10 on r2 and c, o1's 10 on e. e closes: o1 can only use c. Keeping o2 on c
    # meets the target but strands 10 at o1 (few deviations); moving o2 to d strands nothing
    # and misses the target by 10. Stranding weighs more (P = 2Q): nothing is stranded.
    m = RerouteModel(
        tail=[0, 1, 2, 1, 0],
        head=[2, 2, 3, 4, 5],
        n_nodes=6,
        origins=[0, 1],
        sinks=[3, 4, 5],
        cost=[0, 0, 0, 0, 0],
        target_routes=[1],
    )
    caps = np.array([np.inf, np.inf, 10, 10, 0])
    s = m.solve(supply=[10, 10], route_cap=caps, baseline=[0, 10, 10, 0, 10], target=[10])
    assert s.stranded.sum() == pytest.approx(0, abs=1e-9)
    assert s.shortfall == pytest.approx([10])
    assert s.flow == pytest.approx([10, 0, 10, 10, 0])


def test_node_capacity_limits_outgoing_routes() -> None:
    # port 1 ships on two legs but may load 5 in all
    m = RerouteModel(
        tail=[0, 1, 1],
        head=[1, 2, 3],
        n_nodes=4,
        origins=[0],
        sinks=[2, 3],
        cost=[0, 0, 0],
        cap_nodes=[1],
    )
    s = m.solve(supply=[8], route_cap=np.array([np.inf] * 3), baseline=[8, 4, 4], node_cap=[5])
    assert s.flow[1] + s.flow[2] == pytest.approx(5)
    assert s.stranded == pytest.approx([3])


def test_free_allocation_is_a_min_cost_flow() -> None:
    # supply 10 at 0; to 3 via 1 costs 2+2, via 2 costs 1+1 but 2->3 holds only 6
    m = RerouteModel(
        tail=[0, 1, 0, 2],
        head=[1, 3, 2, 3],
        n_nodes=4,
        origins=[0],
        sinks=[3],
        cost=[2, 2, 1, 1],
        mode="free",
        tie_break=0,
    )
    s = m.solve(supply=[10], route_cap=np.array([np.inf, np.inf, np.inf, 6.0]))
    assert s.flow == pytest.approx([4, 4, 6, 6])
    assert s.objective == pytest.approx(4 * 4 + 6 * 2)


# --- random networks: invariants and an independent formulation -------------------------------


@st.composite
def networks(draw: st.DrawFn) -> dict:
    n = draw(st.integers(4, 9))
    edges = sorted({(i, j) for i in range(n) for j in range(i + 1, n) if draw(st.booleans())})
    if not edges:
        edges = [(0, n - 1)]
    tail = np.array([e[0] for e in edges])
    head = np.array([e[1] for e in edges])
    has_in, has_out = set(head), set(tail)
    origins = sorted(v for v in range(n) if v not in has_in and v in has_out)
    sinks = sorted(v for v in range(n) if v not in has_out and v in has_in)
    # baseline: random path flows from origins to sinks
    base = np.zeros(len(edges))
    succ: dict[int, list[int]] = {}
    for k, (a, _) in enumerate(edges):
        succ.setdefault(a, []).append(k)
    for o in origins:
        for _ in range(draw(st.integers(1, 3))):
            v, vol = o, draw(st.integers(1, 20))
            while v in succ:
                k = succ[v][draw(st.integers(0, len(succ[v]) - 1))]
                base[k] += vol
                v = int(head[k])
    outflow, inflow = np.zeros(n), np.zeros(n)
    np.add.at(outflow, tail, base)
    np.add.at(inflow, head, base)
    supply = np.array([outflow[o] - inflow[o] for o in origins])
    mult = draw(
        st.lists(
            st.sampled_from([0.0, 0.5, 1.0, 1.5, np.inf]), min_size=len(edges), max_size=len(edges)
        )
    )
    cap = np.where(
        np.isinf(mult), np.inf, base * np.where(np.isinf(mult), 1, mult) + draw(st.integers(0, 5))
    )
    cost = np.array(
        draw(st.lists(st.integers(0, 9), min_size=len(edges), max_size=len(edges))), float
    )
    return dict(
        n=n,
        tail=tail,
        head=head,
        origins=origins,
        sinks=sinks,
        base=base,
        supply=supply,
        cap=cap,
        cost=cost,
    )


def linprog_objective(net: dict, m: RerouteModel) -> float:
    """The re-routing LP written out again with scipy (dense rows, its own variable order)."""
    n, R, n_o, S = net["n"], len(net["tail"]), len(net["origins"]), len(net["sinks"])
    # variables: for each route [x, d+, d-], then u per origin, then y per sink
    nv = 3 * R + n_o + S
    c = np.zeros(nv)
    a_eq, b_eq = [], []
    for r in range(R):
        c[3 * r] = m.route_cost[r]
        c[3 * r + 1] = c[3 * r + 2] = m.weight_deviation
        row = np.zeros(nv)
        row[3 * r], row[3 * r + 1], row[3 * r + 2] = 1, -1, 1
        a_eq.append(row)
        b_eq.append(net["base"][r])
    c[3 * R : 3 * R + n_o] = m.weight_stranded
    for v in range(n):
        row = np.zeros(nv)
        for r in range(R):
            row[3 * r] += int(net["head"][r] == v) - int(net["tail"][r] == v)
        rhs = 0.0
        if v in net["origins"]:
            i = net["origins"].index(v)
            row[3 * R + i] = -1
            rhs = -net["supply"][i]
        if v in net["sinks"]:
            row[3 * R + n_o + net["sinks"].index(v)] = -1
        a_eq.append(row)
        b_eq.append(rhs)
    bounds = []
    for r in range(R):
        cap = net["cap"][r]
        bounds += [(0, None if np.isinf(cap) else cap), (0, None), (0, None)]
    bounds += [(0, s) for s in net["supply"]] + [(0, None)] * S
    res = linprog(c, A_eq=sp.csr_matrix(np.array(a_eq)), b_eq=b_eq, bounds=bounds, method="highs")
    assert res.status == 0, res.message
    return float(res.fun)


@settings(max_examples=60, deadline=None)
@given(networks())
def test_random_networks(net: dict) -> None:
    m = RerouteModel(
        tail=net["tail"],
        head=net["head"],
        n_nodes=net["n"],
        origins=net["origins"],
        sinks=net["sinks"],
        cost=net["cost"],
    )
    # baseline in -> baseline out when every capacity admits it
    roomy = m.solve(
        supply=net["supply"], route_cap=np.full(len(net["tail"]), np.inf), baseline=net["base"]
    )
    assert roomy.flow == pytest.approx(net["base"], abs=1e-6)
    assert roomy.stranded == pytest.approx(0, abs=1e-6)
    s = m.solve(supply=net["supply"], route_cap=net["cap"], baseline=net["base"])
    assert s.is_optimal
    # capacities respected, stranded within [0, supply]
    assert (s.flow <= np.where(np.isinf(net["cap"]), np.inf, net["cap"]) + 1e-6).all()
    assert (s.flow >= -1e-9).all()
    assert ((s.stranded >= -1e-9) & (s.stranded <= net["supply"] + 1e-6)).all()
    # conservation at every node
    bal = np.zeros(net["n"])
    np.add.at(bal, net["head"], s.flow)
    np.add.at(bal, net["tail"], -s.flow)
    np.add.at(bal, np.array(net["origins"], int), net["supply"] - s.stranded)
    np.add.at(bal, np.array(net["sinks"], int), -s.delivered)
    assert bal == pytest.approx(0, abs=1e-6)
    # the same optimum as an independent formulation
    assert s.objective == pytest.approx(linprog_objective(net, m), rel=1e-7, abs=1e-6)
