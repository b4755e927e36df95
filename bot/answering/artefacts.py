"""The matcher model as a build artefact: found by the knowledge's key, built when missing.

An artefact is a file `matcher-<key>.npz` in the models directory (never committed), where the
key is the hash of the training input (entries' phrasings, out-of-scope and intent phrasings,
normaliser, training settings). A missing, corrupt or foreign file is rebuilt, never trusted.

Building runs `python -m bot.answering.training` as a child process: scikit-learn's ~75 MB and
its CPU time stay out of the bot's process, so the bot keeps answering with the old model while
the new one trains (`ModelKeeper.request`), then swaps it in with one assignment.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from bot.answering import training
from bot.answering.bands import BandParams, LearnedMatcher
from bot.answering.model import Model
from bot.kb.model import KnowledgeBase

log = logging.getLogger(__name__)

PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent
BUILD_TIMEOUT_S = 600
# Artefacts built in this process, by key: a test suite (or a bot that reverts an edit) builds a
# given knowledge base once. A few megabytes each; the oldest goes first.
_MEMO: OrderedDict[str, bytes] = OrderedDict()
_MEMO_SIZE = 4


class BuildError(RuntimeError):
    """The model could not be built; the message carries the builder's error output."""


def _remember(key: str, data: bytes) -> None:
    _MEMO[key] = data
    _MEMO.move_to_end(key)
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)


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

    # -- finding and building --------------------------------------------------------------------

    def path(self, key: str) -> Path | None:
        """Where the artefact of a key lives (None: no models directory, memory only)."""
        return self.directory / f"matcher-{key[:32]}.npz" if self.directory else None

    def matcher_for(self, kb: KnowledgeBase) -> LearnedMatcher:
        """The matcher of `kb`: from memory, from its artefact, or freshly built (blocking)."""
        data = training.training_input(kb, self.knowledge_dir, self.config)
        key = training.input_key(data)
        normalizer = training.normalizer_from(data)
        model = self._load(key, normalizer)
        if model is None:
            raw = self._build(key, data)
            model = Model.from_bytes(raw, normalizer)
        return LearnedMatcher(model, kb, self.params)

    def _load(self, key: str, normalizer) -> Model | None:
        raw = _MEMO.get(key)
        path = self.path(key)
        if raw is None and path is not None and path.is_file():
            try:
                raw = path.read_bytes()
            except OSError as exc:
                log.warning("cannot read the matcher model %s (%s): rebuilding", path, exc)
        if raw is None:
            return None
        try:
            model = Model.from_bytes(raw, normalizer)
        except ValueError as exc:
            log.warning("the matcher model %s is unusable (%s): rebuilding", path, exc)
            return None
        if model.meta.get("key") != key:
            log.warning("the matcher model %s belongs to other knowledge: rebuilding", path)
            return None
        _remember(key, raw)
        return model

    def _build(self, key: str, data: dict) -> bytes:
        """Train in a child process; fall back to this process if the child cannot run."""
        path = self.path(key)
        target = path or Path(os.devnull)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        log.info("building the matcher model %s", key[:12])
        try:
            raw = self._build_in_child(data, path)
        except (OSError, BuildError, subprocess.TimeoutExpired) as exc:
            log.warning("building in a child process failed (%s); building here", exc)
            raw = training.build(data)
            if path is not None:
                tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
                tmp.write_bytes(raw)
                os.replace(tmp, target)
        _remember(key, raw)
        if path is not None:
            for old in path.parent.glob("matcher-*.npz"):
                if old != path:
                    old.unlink(missing_ok=True)
        return raw

    @staticmethod
    def _build_in_child(data: dict, path: Path | None) -> bytes:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            out = path or Path(tmp) / "matcher.npz"
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(
                [str(PACKAGE_ROOT), *filter(None, [env.get("PYTHONPATH")])]
            )
            proc = subprocess.run(
                [sys.executable, "-m", "bot.answering.training", str(out)],
                input=json.dumps(data, ensure_ascii=False).encode(),
                capture_output=True,
                timeout=BUILD_TIMEOUT_S,
                env=env,
                cwd=PACKAGE_ROOT,
                check=False,
            )
            if proc.returncode != 0:
                raise BuildError(proc.stderr.decode(errors="replace")[-2000:])
            return out.read_bytes()

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
                matcher = self.matcher_for(kb)
            except Exception:  # keep the old model answering; the log says why
                log.exception("rebuilding the matcher model failed; the old model stays")
                continue
            on_ready(matcher)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no build is pending or running; False on timeout."""
        return self._idle.wait(timeout)
