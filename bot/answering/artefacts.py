"""The matcher model as a build artefact: found by the knowledge's key, built when missing.

An artefact is a file `matcher-<key>.npz` in the models directory (never committed), where the
key is the hash of the training input (entries' phrasings, out-of-scope and intent phrasings,
normaliser, training settings). A missing, corrupt or foreign file is rebuilt, never trusted.

Building runs `bot.answering.training.build` in a child process: scikit-learn's ~75 MB stay
out of the bot's process, and the bot keeps answering with the old model while the new one
trains (`ModelKeeper.request`), then swaps it in with one assignment.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from bot.answering import refresh, training
from bot.answering.bands import BandParams, LearnedMatcher
from bot.answering.model import Model
from bot.kb.model import KnowledgeBase

log = logging.getLogger(__name__)

BUILD_TIMEOUT_S = 600
KEEP_ARTEFACTS = 3  # model files kept in the models directory, newest first
BUILDER_IDLE_S = 600
# Artefacts built in this process, by key: a test suite (or a bot that reverts an edit) builds a
# given knowledge base once. Each is remembered by the file it was stored in, and by its bytes
# (3.5 MB of the bot's memory) only when it could not be stored; the oldest goes first.
_MEMO: OrderedDict[str, bytes | Path] = OrderedDict()
_MEMO_SIZE = 2


class BuildError(RuntimeError):
    """The model could not be built; the message carries the builder's error output."""


def _remember(key: str, data: bytes | Path) -> None:
    _MEMO[key] = data
    _MEMO.move_to_end(key)
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)


def _recall(key: str) -> bytes | None:
    """The bytes of an artefact built in this process (None: not built here, or its file is
    gone; whether it is still this key's artefact is for the caller to check)."""
    remembered = _MEMO.get(key)
    if not isinstance(remembered, Path):
        return remembered
    try:
        return remembered.read_bytes()
    except OSError:
        return None


class _Builder:
    """One child process that trains models: started on first use, stopped after an idle while.

    Kept between builds so that a burst of admin edits pays scikit-learn's import (about 2 s of
    CPU) once; `spawn` so the child starts clean instead of copying the bot's memory.
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def build(self, data: dict) -> bytes:
        """The artefact of a training input, built in the child."""
        return self._run(training.build, data)

    def refresh(self, data: dict, previous: bytes) -> bytes | None:
        """A quick model of a training input from the previous artefact (None: none possible)."""
        return self._run(refresh.refresh, data, previous)

    def _run(self, function, *args):
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            if self._pool is None:
                ctx = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
            pool = self._pool
        try:
            return pool.submit(function, *args).result(timeout=BUILD_TIMEOUT_S)
        except (BrokenProcessPool, TimeoutError, OSError) as exc:
            self.stop()
            raise BuildError(f"the builder process failed: {exc!r}") from exc
        except RuntimeError as exc:  # the pool was stopped meanwhile (shutdown, idle timer)
            raise BuildError(f"the builder process was stopped: {exc}") from exc
        finally:
            with self._lock:
                self._timer = threading.Timer(BUILDER_IDLE_S, self.stop)
                self._timer.daemon = True
                self._timer.start()

    def stop(self) -> None:
        """Stop the child process (it is started again by the next build)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


_BUILDER = _Builder()


class ModelKeeper:
    """Finds or builds the model of a knowledge base; rebuilds in the background on request."""

    def __init__(
        self,
        directory: Path | None,
        knowledge_dir: Path,
        params: BandParams | None = None,
        config: training.TrainConfig | None = None,
    ):
        self.directory = directory
        self.knowledge_dir = Path(knowledge_dir)
        self.params = params or BandParams()
        self.config = config or training.TrainConfig()
        self._lock = threading.Lock()
        self._pending: tuple[KnowledgeBase, Callable[[LearnedMatcher], None]] | None = None
        self._worker: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()
        # The model last handed out: a built artefact's key, or a quick model's bytes.
        self._served: str | bytes | None = None

    # -- finding and building --------------------------------------------------------------------

    def path(self, key: str) -> Path | None:
        """Where the artefact of a key lives (None: no models directory, memory only)."""
        return self.directory / f"matcher-{key[:32]}.npz" if self.directory else None

    def matcher_for(self, kb: KnowledgeBase) -> LearnedMatcher:
        """The matcher of `kb`: from memory, from its artefact, or freshly built (blocking)."""
        return self._matcher(kb, training.training_input(kb, self.knowledge_dir, self.config))

    def _matcher(
        self,
        kb: KnowledgeBase,
        data: dict,
        on_quick: Callable[[LearnedMatcher], None] | None = None,
    ) -> LearnedMatcher:
        """The matcher of a training input; when it must be built and `on_quick` is given, a
        quick model (`bot.answering.refresh`) is handed to `on_quick` before the build."""
        key = training.input_key(data)
        normalizer = training.normalizer_from(data)
        model = self._load(key, normalizer)
        if model is None:
            if on_quick is not None and (quick := self._quick(kb, data, normalizer)) is not None:
                on_quick(quick)
            raw = self._build(key, data)
            model = Model.from_bytes(raw, normalizer)
        self._served = key
        return LearnedMatcher(model, kb, self.params)

    def _served_bytes(self) -> bytes | None:
        """The artefact of the model last handed out (a quick model's own bytes, else the
        built one's, from memory or its file)."""
        served = self._served
        if served is None or isinstance(served, bytes):
            return served
        path = self.path(served)
        if path is not None:
            try:
                return path.read_bytes()
            except OSError:
                pass
        return _recall(served)

    def _quick(self, kb: KnowledgeBase, data: dict, normalizer) -> LearnedMatcher | None:
        """A quick matcher after a small edit from the model being served; None when there is
        none to refresh or the edit is not one a refresh can follow."""
        previous = self._served_bytes()
        if previous is None:
            return None
        try:
            raw = _BUILDER.refresh(data, previous)
        except (OSError, BuildError) as exc:  # the full build follows anyway
            log.warning("no quick model (%s)", exc)
            return None
        if raw is None:
            return None
        self._served = raw
        return LearnedMatcher(Model.from_bytes(raw, normalizer), kb, self.params)

    def _load(self, key: str, normalizer) -> Model | None:
        """The artefact of `key` from its file, else from this process's memory (then written
        back to the file); None when neither holds a usable one."""
        path = self.path(key)
        if path is not None and path.is_file():
            try:
                model = self._parse(path.read_bytes(), key, normalizer)
                if model is not None:
                    return model
            except OSError as exc:
                log.warning("cannot read the matcher model %s (%s)", path, exc)
            log.warning("the matcher model %s is unusable: rebuilding it", path)
        raw = _recall(key)
        if raw is None:
            return None
        model = self._parse(raw, key, normalizer)
        if model is not None and path is not None and self._save(path, raw):
            _remember(key, path)
        return model

    @staticmethod
    def _parse(raw: bytes, key: str, normalizer) -> Model | None:
        try:
            model = Model.from_bytes(raw, normalizer)
        except ValueError as exc:
            log.warning("not a usable matcher model: %s", exc)
            return None
        if model.meta.get("key") != key:
            return None  # another knowledge base's model under this name
        return model

    def _build(self, key: str, data: dict) -> bytes:
        """Train in a child process; fall back to this process if the child cannot run."""
        path = self.path(key)
        log.info("building the matcher model %s", key[:12])
        try:
            raw = _BUILDER.build(data)
        except (OSError, BuildError) as exc:
            log.warning("building in the child process failed (%s); building here", exc)
            raw = training.build(data)
        _remember(key, path if path is not None and self._save(path, raw) else raw)
        return raw

    @staticmethod
    def _save(path: Path, raw: bytes) -> bool:
        """Write atomically (a temporary file, then a rename); keep the few newest artefacts
        (a revert finds its model again; a directory shared by several bots keeps theirs).
        False when it could not be written."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
            tmp.write_bytes(raw)
            os.replace(tmp, path)
            artefacts = sorted(
                path.parent.glob("matcher-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True
            )
            for old in artefacts[KEEP_ARTEFACTS:]:
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError as exc:  # a read-only data directory: serve from memory
            log.warning("cannot store the matcher model in %s: %s", path.parent, exc)
            return False
        return True

    # -- rebuilding in the background ------------------------------------------------------------

    def request(self, kb: KnowledgeBase, on_ready: Callable[[LearnedMatcher], None]) -> None:
        """Build the matcher of `kb` off the caller's thread, then call `on_ready(matcher)`.

        Requests made while a build runs are coalesced: only the newest is built next.
        """
        with self._lock:
            self._pending = (kb, on_ready)
            self._idle.clear()
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._work, name="matcher-build", daemon=True
                )
                self._worker.start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._pending is None:
                    self._worker = None
                    self._idle.set()
                    return
                kb, on_ready = self._pending
                self._pending = None
            try:
                data = training.training_input(kb, self.knowledge_dir, self.config)
                # An edit answers within a second or two from a quick model, then the full
                # build (seconds more) replaces it.
                matcher = self._matcher(kb, data, on_quick=on_ready)
            except Exception:  # keep the old model answering; the log says why
                log.exception("rebuilding the matcher model failed; the old model stays")
                continue
            on_ready(matcher)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no build is pending or running; False on timeout."""
        return self._idle.wait(timeout)
