"""Risk runs lose no finished work: chunks on disk, signals, killed parents, damaged folders."""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import corridor
from corridor.cli import app
from corridor.exceptions import CorridorError, InvalidArgumentError, RunStoreError, UnknownError
from corridor.risk import (
    MAX_SAMPLES,
    MAX_SEED,
    RiskProblem,
    RiskResult,
    check_run,
    run_risk,
)

SRC = Path(__file__).resolve().parents[1] / "src"
linux = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


@pytest.fixture(scope="module")
def problem(kazakhstan: corridor.Network) -> RiskProblem:
    return RiskProblem.from_network(kazakhstan)


@pytest.fixture(scope="module")
def finished(problem: RiskProblem, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run of 200 samples, stored (copied by the tests that damage it)."""
    folder = tmp_path_factory.mktemp("risk") / "run"
    run_risk(problem, n=200, seed=1, chunk=50, out=folder)
    return folder


def copy_run(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for f in src.iterdir():
        if f.is_file():
            (dst / f.name).write_bytes(f.read_bytes())
    return dst


# --- the run's folder as it goes -----------------------------------------------------------------


def test_chunks_and_summary_are_stored_as_samples_finish(
    problem: RiskProblem, tmp_path: Path
) -> None:
    folder = tmp_path / "run"
    seen: list[tuple[int, int, bool, int]] = []

    def progress(done: int) -> None:
        summary = json.loads((folder / "summary.json").read_text())
        chunks = len(list((folder / "chunks").glob("part-*.parquet")))
        seen.append((done, summary["samples_finished"], summary["complete"], chunks))

    r = run_risk(problem, n=300, seed=1, chunk=100, out=folder, on_progress=progress)
    assert seen == [(100, 100, False, 1), (200, 200, False, 2), (300, 300, False, 3)]
    # at the end: the whole run, complete, and the chunks gone
    assert not (folder / "chunks").exists()
    assert sorted(p.name for p in folder.iterdir()) == [
        "contributions.parquet",
        "samples.parquet",
        "summary.json",
    ]
    back = RiskResult.read(folder)
    assert back.summary.complete
    assert not back.summary.interrupted
    assert back.summary == r.summary
    assert back.samples["stranded"].tolist() == r.samples["stranded"].tolist()


def test_a_run_that_dies_leaves_its_finished_chunks_readable(
    problem: RiskProblem, tmp_path: Path
) -> None:
    # an exception that is not Ctrl-C ends the run as a kill would: nothing after it is written
    def die(done: int) -> None:
        if done >= 300:
            raise RuntimeError

    folder = tmp_path / "run"
    with pytest.raises(RuntimeError):
        run_risk(problem, n=1_000, seed=1, chunk=100, out=folder, on_progress=die)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["complete"] is False
    assert summary["samples_finished"] == 300
    back = RiskResult.read(folder)
    assert back.summary.interrupted
    assert not back.summary.complete
    assert back.summary.samples_finished == 300
    assert back.summary.samples_requested == 1_000
    assert back.contributions.empty  # computed at the end of a run only
    full = run_risk(problem, n=300, seed=1)
    assert back.samples["sample"].tolist() == list(range(300))
    assert back.samples["stranded"].tolist() == full.samples["stranded"].tolist()
    assert back.samples["revenue_at_risk"].to_numpy() == pytest.approx(
        full.samples["revenue_at_risk"].to_numpy()
    )
    # statistics from the chunks: the same as a run of these 300 samples
    for key in ("mean", "p50", "p95", "no_outage"):
        assert back.summary.stranded[key] == pytest.approx(full.summary.stranded[key])
    assert back.summary.share_crossing == pytest.approx(full.summary.share_crossing)
    shown = CliRunner().invoke(app, ["risk", "show", str(folder), "-f", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["samples_finished"] == 300
    assert "interrupted: 300 of 1,000 samples" in shown.stderr


def test_a_new_run_in_a_folder_replaces_the_old_one(problem: RiskProblem, tmp_path: Path) -> None:
    folder = tmp_path / "run"

    def die(done: int) -> None:
        if done >= 200:
            raise RuntimeError

    with pytest.raises(RuntimeError):
        run_risk(problem, n=1_000, seed=1, chunk=100, out=folder, on_progress=die)
    with pytest.raises(RuntimeError):
        run_risk(problem, n=1_000, seed=2, chunk=50, out=folder, on_progress=die)
    back = RiskResult.read(folder)
    assert back.summary.seed == 2
    assert back.samples["sample"].tolist() == list(range(200))


# --- atomic writes -------------------------------------------------------------------------------


def test_summary_json_is_written_atomically(
    problem: RiskProblem, finished: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_run(finished, tmp_path / "run")
    before = (folder / "summary.json").read_bytes()
    result = RiskResult.read(folder)
    result = replace(result, summary=replace(result.summary, seed=99))  # a different summary
    renamed: list[tuple[Path, Path]] = []
    real = os.replace

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        renamed.append((Path(src), Path(dst)))
        if Path(dst).name != "summary.json":
            real(src, dst)
            return
        msg = "disk full"
        raise OSError(msg)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        result.write(folder)
    monkeypatch.undo()
    # the rename was the only way in: the old summary is intact, no temporary file is left
    assert (folder / "summary.json").read_bytes() == before
    assert renamed
    assert all(src.parent == dst.parent == folder for src, dst in renamed)
    assert all(src.name != dst.name for src, dst in renamed)
    assert [dst.name for _, dst in renamed][-1] == "summary.json"
    assert sorted(p.name for p in folder.iterdir()) == [
        "contributions.parquet",
        "samples.parquet",
        "summary.json",
    ]


def test_each_summary_update_of_a_running_run_goes_through_a_rename(
    problem: RiskProblem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[str] = []
    real = os.replace

    def spy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        writes.append(Path(dst).name)
        assert Path(src).parent == Path(dst).parent
        assert Path(src).is_file()
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    run_risk(problem, n=200, seed=1, chunk=100, out=tmp_path / "run")
    assert writes == [
        "summary.json",  # the run started: complete false, 0 samples
        "part-0000000000-0000000100.parquet",
        "summary.json",
        "part-0000000100-0000000200.parquet",
        "summary.json",
        "samples.parquet",
        "contributions.parquet",
        "summary.json",  # complete
    ]


# --- damaged run folders: an error naming the file, never a traceback ---------------------------


def damage_summary(text: str) -> Callable[[Path], object]:
    return lambda folder: (folder / "summary.json").write_text(text)


def edit_summary(key: str, value: object) -> Callable[[Path], object]:
    def edit(folder: Path) -> None:
        data = json.loads((folder / "summary.json").read_text())
        data[key] = value
        (folder / "summary.json").write_text(json.dumps(data))

    return edit


def truncate(name: str) -> Callable[[Path], object]:
    def cut(folder: Path) -> None:
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[: len(data) // 2])

    return cut


DAMAGE = {
    "truncated summary": (lambda f: truncate("summary.json")(f), "summary.json: not valid JSON"),
    "empty summary": (damage_summary(""), "summary.json: empty"),
    "summary a list": (damage_summary("[1, 2]"), "a JSON list, expected an object"),
    "summary without seed": (edit_summary("seed", None), "field 'seed' should be int"),
    "summary with text samples": (
        edit_summary("samples_finished", "many"),
        "field 'samples_finished' should be int",
    ),
    "summary of a bigger run": (
        edit_summary("samples_finished", 150),
        "holds 200 samples, but summary.json says 150",
    ),
    "summary not utf-8": (
        lambda f: (f / "summary.json").write_bytes(b"\xff\xfe{"),
        "summary.json: not UTF-8",
    ),
    "missing samples": (
        lambda f: (f / "samples.parquet").unlink(),
        "samples.parquet: missing",
    ),
    "truncated samples": (truncate("samples.parquet"), "samples.parquet: not a readable Parquet"),
    "empty samples": (
        lambda f: (f / "samples.parquet").write_bytes(b""),
        "samples.parquet: not a readable Parquet",
    ),
    "truncated contributions": (
        truncate("contributions.parquet"),
        "contributions.parquet: not a readable Parquet",
    ),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_run_is_a_clear_error(
    cli: CliRunner, finished: Path, tmp_path: Path, case: str
) -> None:
    folder = copy_run(finished, tmp_path / "run")
    damage, message = DAMAGE[case]
    damage(folder)
    with pytest.raises(RunStoreError, match=r"damaged|truncated|not UTF-8|missing|expected"):
        RiskResult.read(folder)
    res = cli.invoke(app, ["risk", "show", str(folder)])
    assert res.exit_code == 4, res.output  # EXIT_CODES[RunStoreError]
    assert isinstance(res.exception, SystemExit)
    assert res.stderr.startswith("error: ")
    assert message in res.stderr
    assert str(folder) in res.stderr


def test_a_truncated_chunk_of_an_unfinished_run_is_a_clear_error(
    problem: RiskProblem, cli: CliRunner, tmp_path: Path
) -> None:
    def die(done: int) -> None:
        if done >= 200:
            raise RuntimeError

    folder = tmp_path / "run"
    with pytest.raises(RuntimeError):
        run_risk(problem, n=1_000, seed=1, chunk=100, out=folder, on_progress=die)
    truncate("chunks/part-0000000100-0000000200.parquet")(folder)
    res = cli.invoke(app, ["risk", "show", str(folder)])
    assert res.exit_code == 4
    assert isinstance(res.exception, SystemExit)
    assert "part-0000000100-0000000200.parquet: not a readable Parquet file" in res.stderr


@pytest.mark.parametrize("what", ["nothing", "file"])
def test_show_of_no_folder_is_a_clear_error(cli: CliRunner, tmp_path: Path, what: str) -> None:
    path = tmp_path / "run"
    if what == "file":
        path.write_text("x")
    res = cli.invoke(app, ["risk", "show", str(path)])
    assert res.exit_code == 4
    assert isinstance(res.exception, SystemExit)
    expected = (
        "the folder does not exist" if what == "nothing" else "it is a file, not a run's folder"
    )
    assert f"error: no risk run in {path}: {expected}" in res.stderr


def test_run_into_a_file_is_a_clear_error_before_sampling(
    problem: RiskProblem, tmp_path: Path
) -> None:
    (tmp_path / "run").write_text("x")
    with pytest.raises(RunStoreError, match="cannot write a risk run to"):
        run_risk(problem, n=10, out=tmp_path / "run")


# --- arguments -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"n": 0}, "n must be between 1 and 10,000,000"),
        ({"n": MAX_SAMPLES + 1}, "n must be between 1 and 10,000,000"),
        ({"n": 10.0}, "n must be an integer"),
        ({"n": True}, "n must be an integer"),
        ({"seed": -1}, "seed must be between 0 and"),
        ({"seed": MAX_SEED + 1}, "seed must be between 0 and"),
        ({"seed": math.inf}, "seed must be an integer"),
        ({"seed": 1.5}, "seed must be an integer"),
        ({"workers": 0}, "workers must be between 1 and 256"),
        ({"threshold": 80}, "a share between 0 and 1; for 80 % write 0.8"),
        ({"threshold": math.nan}, "a share between 0 and 1"),
        ({"threshold": -0.1}, "a share between 0 and 1"),
        ({"chunk": 0}, "chunk must be between 1"),
    ],
)
def test_run_arguments_out_of_range_are_refused(
    problem: RiskProblem, args: dict[str, float], match: str
) -> None:
    full = {"n": 10, "seed": 1} | args
    with pytest.raises(InvalidArgumentError, match=match):
        check_run(**full)  # type: ignore[arg-type]
    started = time.perf_counter()
    with pytest.raises(InvalidArgumentError, match=match):
        run_risk(problem, **full)  # type: ignore[arg-type]
    assert time.perf_counter() - started < 1  # refused before any sampling


def test_the_extremes_of_the_ranges_are_accepted(problem: RiskProblem) -> None:
    check_run(n=MAX_SAMPLES, seed=MAX_SEED, workers=256, threshold=0, chunk=1)
    check_run(n=1, seed=np.int64(0), threshold=1)
    r = run_risk(problem, n=3, seed=MAX_SEED, threshold=1.0)
    assert r.summary.samples_finished == 3
    assert r.summary.share_crossing["probability_below"] is not None


def test_a_year_outside_the_package_is_refused(kazakhstan: corridor.Network) -> None:
    with pytest.raises(UnknownError, match="year 1900 is outside the package's years"):
        RiskProblem.from_network(kazakhstan, year=1900)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threshold", "80"], "a share between 0 and 1; for 80 % write 0.8"),
        (["--threshold", "nan"], "a share between 0 and 1"),
        (["--seed", "1e400"], "--seed"),
        (["--seed", "-1"], "--seed"),
        (["--seed", str(MAX_SEED + 1)], "--seed"),
        (["--n", str(MAX_SAMPLES + 1)], "--n"),
        (["--n", "0"], "--n"),
        (["--chunk", "0"], "--chunk"),
        (["--year", "1900"], "year 1900 is outside the package's years"),
    ],
)
def test_cli_refuses_arguments_out_of_range(
    cli: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    res = cli.invoke(app, ["risk", "run", "--n", "20", "--out", str(tmp_path / "run"), *args])
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit)
    assert message in " ".join(res.stderr.replace("│", " ").split())
    assert not (tmp_path / "run").exists()  # nothing written


def test_cli_takes_the_model_s_extremes(cli: CliRunner, tmp_path: Path) -> None:
    args = ["--n", "3", "--seed", str(MAX_SEED), "--threshold", "1", "--out", str(tmp_path / "r")]
    res = cli.invoke(app, ["risk", "run", *args, "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["seed"] == MAX_SEED


def test_a_scheduler_that_does_not_answer_is_an_error_within_seconds(
    problem: RiskProblem,
) -> None:
    pytest.importorskip("dask.distributed")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    old = signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the scheduler hung"))
    signal.alarm(30)
    try:
        started = time.perf_counter()
        with pytest.raises(CorridorError, match="no Dask scheduler answered at"):
            run_risk(problem, n=10, scheduler=f"tcp://127.0.0.1:{port}")
        assert time.perf_counter() - started < 5
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# --- signals and killed processes (subprocesses) -------------------------------------------------


def start(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen(
        [sys.executable, "-m", "corridor", "risk", "run", "-f", "json", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for_chunks(proc: subprocess.Popen[bytes], folder: Path, count: int) -> None:
    deadline = time.monotonic() + 120
    while len(list((folder / "chunks").glob("part-*.parquet"))) < count:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "the run did not get going"
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status is left


def kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def reap() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.communicate(timeout=30)  # waits, and closes the pipes


@linux
def test_sigkill_at_60_percent_keeps_the_finished_chunks(
    cli: CliRunner, tmp_path: Path, reap: list[subprocess.Popen[bytes]]
) -> None:
    folder = tmp_path / "run"
    proc = start(tmp_path, "--n", "3000", "--chunk", "100", "--out", str(folder))
    reap.append(proc)
    wait_for_chunks(proc, folder, 18)
    proc.kill()
    proc.wait(timeout=10)
    found = len(list((folder / "chunks").glob("part-*.parquet")))
    assert found >= 18
    res = cli.invoke(app, ["risk", "show", str(folder), "-f", "json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["samples_finished"] == 100 * found
    assert summary["interrupted"] is True
    assert summary["stranded"]["p95"] is not None
    assert f"interrupted: {100 * found:,} of 3,000 samples" in res.stderr


@linux
def test_sigterm_with_two_workers_keeps_the_samples_and_exits_143(
    cli: CliRunner, tmp_path: Path, reap: list[subprocess.Popen[bytes]]
) -> None:
    folder = tmp_path / "run"
    args = ("--n", "20000", "--chunk", "100", "--workers", "2", "--out", str(folder))
    proc = start(tmp_path, *args)
    reap.append(proc)
    wait_for_chunks(proc, folder, 4)
    workers = children(proc.pid)
    assert len(workers) == 2
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=30) == 143  # 128 + SIGTERM; no hang
    finally:
        left = [w for w in workers if alive(w)]
        kill(left)
    assert not left
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["complete"] is True
    assert summary["interrupted"] is True
    assert 400 <= summary["samples_finished"] < 20_000
    assert summary["samples_finished"] % 100 == 0
    assert not (folder / "chunks").exists()
    res = cli.invoke(app, ["risk", "show", str(folder)])
    assert res.exit_code == 0
    assert f"interrupted: {summary['samples_finished']:,} of 20,000 samples" in res.stderr


@linux
def test_ctrl_c_exits_130_and_keeps_the_samples(
    tmp_path: Path, reap: list[subprocess.Popen[bytes]]
) -> None:
    folder = tmp_path / "run"
    proc = start(tmp_path, "--n", "20000", "--chunk", "100", "--out", str(folder))
    reap.append(proc)
    wait_for_chunks(proc, folder, 2)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    back = RiskResult.read(folder)
    assert back.summary.interrupted
    assert back.summary.complete
    assert back.summary.samples_finished >= 200
    assert not back.contributions.empty
    stdout = proc.stdout.read() if proc.stdout else b""
    assert json.loads(stdout)["samples_finished"] == back.summary.samples_finished


@linux
def test_workers_end_when_the_parent_is_killed(
    tmp_path: Path, reap: list[subprocess.Popen[bytes]]
) -> None:
    folder = tmp_path / "run"
    args = ("--n", "20000", "--chunk", "100", "--workers", "2", "--out", str(folder))
    proc = start(tmp_path, *args)
    reap.append(proc)
    wait_for_chunks(proc, folder, 2)
    workers = children(proc.pid)
    assert len(workers) == 2
    assert all(alive(w) for w in workers)
    proc.kill()
    proc.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if alive(w)]
    kill(left)  # a regression must not leave orphans behind
    assert not left


@linux
def test_the_watchdog_ends_a_worker_whose_parent_died(tmp_path: Path) -> None:
    # where prctl is not available: a thread polls the parent's pid (here without prctl)
    script = (
        "import os, sys, time\n"
        "from corridor.risk import _watch_parent\n"
        "if os.fork() == 0:\n"
        "    import threading\n"
        "    threading.Thread(target=_watch_parent, args=(os.getppid(), 0.05), daemon=True)"
        ".start()\n"
        "    print(os.getpid(), flush=True)\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "time.sleep(0.5)\n"
        "os._exit(0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, timeout=60, check=True
    )
    # the output pipe closes when the child (which holds it) ends: seconds, not the 60 s sleep
    assert time.monotonic() - started < 15
    child = int(proc.stdout.split()[0])
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)
