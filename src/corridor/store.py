"""Runs and their results: SQLite by default, any SQLAlchemy URL (e.g. PostgreSQL).

A run (scenario, risk or claims) is stored with its inputs, the Corridor and package versions,
its status and, once finished, its result. The result is written in the same transaction that
marks the run done, so a run that fails or is interrupted never holds half a result. The schema
is created and upgraded by Alembic (``corridor/migrations``).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from importlib.resources import files
from typing import Any

from sqlalchemy import JSON, DateTime, Float, String, Text, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

import corridor
from corridor.exceptions import InvalidArgumentError, RunStoreError

KINDS = ("scenario", "risk", "claims")
FINAL = ("done", "failed", "interrupted", "cancelled")


class Base(DeclarativeBase):
    """Declarative base of Corridor's tables."""


class Run(Base):
    """One run: inputs, versions, status, progress and (when done) the result."""

    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime)
    finished: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    corridor_version: Mapped[str] = mapped_column(String(32))
    package: Mapped[str] = mapped_column(String(200))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    summary: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)

    def to_dict(self, full: bool = True) -> dict[str, Any]:
        """Return the run as JSON-ready data; without the result when `full` is False."""
        out = {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "created": self.created.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None,
            "corridor_version": self.corridor_version,
            "package": self.package,
            "inputs": self.inputs,
            "progress": self.progress,
            "summary": self.summary,
            "error": self.error,
        }
        if full:
            out["result"] = self.result
        return out


def migrate(url: str) -> None:
    """Create or upgrade the database schema to the latest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("corridor").joinpath("migrations")))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, "head")


class Store:
    """Runs in a database; thread-safe for the web server's worker threads."""

    def __init__(self, url: str = "sqlite:///corridor-runs.db") -> None:
        self.url = url
        try:
            migrate(url)
            kwargs: dict[str, Any] = {}
            if url.startswith("sqlite"):
                kwargs["connect_args"] = {"check_same_thread": False}
            self.engine = create_engine(url, **kwargs)
        except Exception as exc:  # any driver or URL error becomes one clear message
            msg = f"cannot open the run store {url!r}: {exc}"
            raise RunStoreError(msg) from None
        self.session = sessionmaker(self.engine, expire_on_commit=False)
        self._lock = threading.Lock()

    def create(self, kind: str, inputs: dict[str, Any], package: str) -> Run:
        """Store a new queued run and return it."""
        if kind not in KINDS:
            msg = f"unknown run kind {kind!r}; known: {', '.join(KINDS)}"
            raise InvalidArgumentError(msg)
        run = Run(
            id=uuid.uuid4().hex,
            kind=kind,
            status="queued",
            created=_now(),
            corridor_version=corridor.__version__,
            package=package,
            inputs=json.loads(json.dumps(inputs, default=str)),
            progress=0.0,
        )
        with self._lock, self.session.begin() as s:
            s.add(run)
        return run

    def get(self, run_id: str) -> Run | None:
        """Return a run, or None."""
        with self.session() as s:
            return s.get(Run, run_id)

    def list(self, limit: int = 200) -> list[Run]:
        """Return the latest runs, newest first."""
        with self.session() as s:
            return list(s.scalars(select(Run).order_by(Run.created.desc()).limit(limit)))

    def update(self, run_id: str, **values: Any) -> None:
        """Set status or progress of a run (not its result: see `finish`)."""
        with self._lock, self.session.begin() as s:
            run = s.get(Run, run_id)
            if run is not None and run.status not in FINAL:
                for k, v in values.items():
                    setattr(run, k, v)

    def finish(self, run_id: str, result: dict[str, Any], summary: str = "") -> None:
        """Store the result and mark the run done, in one transaction."""
        clean = json.loads(json.dumps(result, default=str))
        with self._lock, self.session.begin() as s:
            run = s.get(Run, run_id)
            if run is None or run.status in FINAL:
                return
            run.result, run.summary, run.status = clean, summary, "done"
            run.progress, run.finished = 1.0, _now()

    def end(self, run_id: str, status: str, error: str | None = None) -> None:
        """Mark a run failed, interrupted or cancelled, with no result."""
        assert status in FINAL
        assert status != "done"
        with self._lock, self.session.begin() as s:
            run = s.get(Run, run_id)
            if run is not None and run.status not in FINAL:
                run.status, run.error, run.finished, run.result = status, error, _now(), None

    def interrupt_unfinished(self) -> int:
        """Mark every queued or running run ``interrupted`` (a server start-up); return how many.

        A run left ``running`` by a server that stopped would otherwise stay so, and its
        progress stream would never end. (Servers sharing one database each do this at start.)
        """
        with self._lock, self.session.begin() as s:
            runs = list(s.scalars(select(Run).where(Run.status.in_(("queued", "running")))))
            for run in runs:
                run.status, run.finished, run.result = "interrupted", _now(), None
                run.error = "the server stopped before this run ended"
            return len(runs)

    def delete(self, run_id: str) -> bool:
        """Delete a run; return False when there was none."""
        with self._lock, self.session.begin() as s:
            run = s.get(Run, run_id)
            if run is None:
                return False
            s.delete(run)
            return True


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


__all__ = ["FINAL", "KINDS", "Run", "Session", "Store", "migrate"]
