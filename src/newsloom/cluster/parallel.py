"""Featurise in a worker process while the main process decides: both cores for ``add_many``.

Featurising an article (sentences, tokens, names, numbers, dates, hashing: ``features.
compute_term_weights``) needs nothing but the article's text, while every decision needs the
state left by the previous one (online IDF, stories, index). So a batch is cut into chunks;
worker processes featurise chunks ahead, the main process applies the online IDF and takes the
decisions in arrival order. A worker's results go into the cache ``term_weights`` reads
(``features.prime``) just before their articles are decided, so ``OnlineClusterer.add`` runs
unchanged and the decisions are exactly those of ``add`` one by one: the worker computes the
same pure function of the same text.

While a worker starts, the main process featurises the first chunk itself; it takes back any
chunk no worker has been sent when its turn comes (work stealing): a busy or slow worker never
makes a batch much slower than featurising in-process, and a failed worker only costs the
speed-up.

A worker is ``python -m newsloom.cluster.parallel`` started with ``subprocess`` (fork+exec):
nothing of the parent is inherited (no threads, locks or model state; safe where plain
``fork`` is not) and, unlike ``multiprocessing``'s spawn, the caller's ``__main__`` is never
re-imported, so scripts need no ``if __name__ == "__main__"`` guard. Requests and replies are
length-prefixed pickles over the child's stdin/stdout, exchanged only with our own child.
Workers are started on first use and shared by every clusterer of the process.
``NEWSLOOM_CLUSTER_WORKERS`` sets their number (0: featurise in-process); the default is 1
when the process may run on at least 2 CPUs, else 0.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pickle
import resource
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from newsloom.cluster.features import (
    TermWeights,
    Weights,
    is_cached,
    prime,
    term_arrays,
    term_counts,
)
from newsloom.model import Article

log = logging.getLogger(__name__)

WORKERS_ENV = "NEWSLOOM_CLUSTER_WORKERS"
CHUNK = 64
"""Articles per request to a worker (large enough that pickling and pipes cost little per
article, small enough that the main process rarely waits for the first one)."""
MIN_PARALLEL = 2 * CHUNK
"""Fewer articles to featurise than this: in-process (a worker round trip is not worth it)."""
AHEAD = 1
"""Requests a worker may hold at once; the others stay with the batch, free to be stolen."""
WORKER_STEP = "featurise (worker)"
"""Key under which worker CPU seconds are added to an ``OnlineClusterer.timings`` dict."""

_Packed = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float]
_HEADER = struct.Struct("<Q")
_READY = "ready"


def default_workers() -> int:
    """Worker processes for featurising: ``NEWSLOOM_CLUSTER_WORKERS``, else 1 with at least
    2 usable CPUs (the main process keeps one), else 0."""
    env = os.environ.get(WORKERS_ENV, "").strip()
    if env:
        return max(0, int(env))
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return 1 if cpus >= 2 else 0


def featurise_chunk(keys: Sequence[tuple[str | None, str]], w: Weights) -> _Packed:
    """Worker side: term weights of (title, text) pairs, packed as flat arrays (lengths,
    terms, tf, sublinear tf, is-a-name mask) so the reply pickles cheaply, plus the worker's
    CPU seconds and peak memory (MB) for the benchmark."""
    cpu = time.process_time()
    parts = [term_arrays(*term_counts(title, text, w)) for title, text in keys]
    lengths = np.array([len(p[0]) for p in parts], dtype=np.int64)
    if parts:
        terms, tf, tfl, is_name = (np.concatenate(col) for col in zip(*parts, strict=True))
    else:
        terms, tf, tfl = np.zeros(0, np.int32), np.zeros(0), np.zeros(0)
        is_name = np.zeros(0, bool)
    return lengths, terms, tf, tfl, is_name, time.process_time() - cpu, _own_peak_rss_mb()


def _own_peak_rss_mb() -> float:
    """Peak resident memory of this process's own image (``VmHWM``): Linux's ``ru_maxrss``
    keeps the parent's peak across fork and exec, which would credit the worker with the
    main process's memory."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1 << 20) if sys.platform == "darwin" else rss / 1024


def unpack(packed: _Packed) -> list[TermWeights]:
    """Main side: the ``TermWeights`` of each article of a chunk, from ``featurise_chunk``."""
    lengths, terms, tf, tfl, is_name = packed[:5]
    out, start = [], 0
    for end in np.cumsum(lengths).tolist():
        out.append(TermWeights(terms[start:end], tf[start:end], tfl[start:end], is_name[start:end]))
        start = end
    return out


def _write(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError("worker pipe closed")
    (size,) = _HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("worker pipe closed")
    return pickle.loads(data)


class _Worker:
    """One child process featurising requests in order; a reader thread collects its replies
    (so a full pipe never stalls the child) and counts what it holds."""

    def __init__(self) -> None:
        src = str(Path(__file__).resolve().parents[2])  # where this newsloom is imported from
        path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path, WORKERS_ENV: "0"},  # no workers' workers
        )
        self.lock = threading.Condition()
        self.sent = 0
        self.replies: dict[Any, _Packed] = {}
        self.alive = True
        self.ready = False  # set by the worker's first message, once its imports are done
        self.closing = False
        self.peak_rss_mb = 0.0
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        assert self.proc.stdout is not None
        try:
            while True:
                tag, packed = _read(self.proc.stdout)
                if tag == _READY:
                    with self.lock:
                        self.ready = True
                        self.lock.notify_all()
                    continue
                with self.lock:
                    self.replies[tag] = packed
                    self.peak_rss_mb = max(self.peak_rss_mb, packed[6])
                    self.lock.notify_all()
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            with self.lock:
                self.alive = False
                self.lock.notify_all()
            if not self.closing:
                global _failures
                _failures += 1
                log.warning("featurising worker stopped (%s): featurising in-process", exc)

    def outstanding(self) -> int:
        """Requests sent and not yet answered (call with the lock held)."""
        return self.sent - len(self.replies)

    def send(self, tag: Any, keys: list[tuple[str | None, str]], w: Weights) -> None:
        assert self.proc.stdin is not None
        try:
            _write(self.proc.stdin, (tag, keys, w))
        except OSError:
            with self.lock:
                self.alive = False
                self.lock.notify_all()

    def take(self, tag: Any) -> _Packed | None:
        """The reply to ``tag``, waiting for it; None if the worker died first."""
        with self.lock:
            while tag not in self.replies and self.alive:
                self.lock.wait()
            self.sent -= tag in self.replies
            return self.replies.pop(tag, None)

    def close(self) -> None:
        self.closing = True
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


_workers: list[_Worker] = []
_batches = 0
_failures = 0
MAX_FAILURES = 3
"""Workers that may die unexpectedly before the process stops starting new ones."""


def _get_workers(n: int) -> list[_Worker]:
    global _workers
    _workers = [wk for wk in _workers if wk.alive]
    if _failures >= MAX_FAILURES:
        return []
    try:
        while len(_workers) < n:
            _workers.append(_Worker())
    except (OSError, ValueError) as exc:  # no processes allowed here: featurise in-process
        log.warning("no featurising worker (%s): featurising in-process", exc)
    return _workers[:n]


def worker_peak_rss_mb() -> float:
    """Largest peak memory (MB) a running worker has reported (0 without workers)."""
    return max((wk.peak_rss_mb for wk in _workers), default=0.0)


@atexit.register
def shutdown() -> None:
    """Stop the worker processes (they are also stopped at interpreter exit)."""
    while _workers:
        _workers.pop().close()


class _Batch:
    """The chunks of one ``prefeaturised`` call: sender threads hand the next chunk to a
    worker with room (``AHEAD``); the main process takes replies in order, or steals a chunk
    no worker has been sent yet."""

    def __init__(self, chunks: list[list[Article]], w: Weights, workers: list[_Worker]) -> None:
        global _batches
        _batches += 1
        self.id = _batches
        self.chunks, self.w, self.workers = chunks, w, workers
        self.next = 0  # first chunk not yet sent (or stolen)
        self.owner: dict[int, _Worker] = {}
        self.lock = threading.Lock()
        self.done = False
        self.threads = [threading.Thread(target=self._feed, args=(wk,)) for wk in workers]
        for t in self.threads:
            t.daemon = True
            t.start()

    def _feed(self, wk: _Worker) -> None:
        while True:
            with wk.lock:
                # a starting worker gets nothing yet: meanwhile the main process steals
                while wk.alive and not self.done and (not wk.ready or wk.outstanding() >= AHEAD):
                    wk.lock.wait(0.05)
                if not wk.alive or self.done:
                    return
            with self.lock:
                if self.next >= len(self.chunks):
                    return
                j = self.next
                self.next += 1
                self.owner[j] = wk
            with wk.lock:
                wk.sent += 1
            wk.send((self.id, j), [(a.title, a.text) for a in self.chunks[j]], self.w)

    def take(self, j: int) -> _Packed | None:
        """Chunk ``j``'s features from its worker, or None: stolen (never sent) or lost."""
        with self.lock:
            wk = self.owner.get(j)
            if wk is None:  # not sent: the main process featurises it as it decides
                self.next = max(self.next, j + 1)
                return None
        return wk.take((self.id, j))

    def close(self) -> None:
        self.done = True
        with self.lock:
            self.next = len(self.chunks)
        for wk in self.workers:
            with wk.lock:
                wk.lock.notify_all()
        for t in self.threads:
            t.join()


def prefeaturised(
    articles: Sequence[Article],
    todo: Sequence[Article],
    w: Weights,
    workers: int | None = None,
    timings: MutableMapping[str, float] | None = None,
) -> Iterator[Article]:
    """Yield ``articles`` in order; the features of ``todo`` (the ones that will need them,
    a subset of ``articles`` in the same order) are computed ahead by worker processes and
    cached just before the first article of each chunk is yielded.

    Which articles are in ``todo`` only decides where the work happens, never a result: an
    article whose features are not cached is featurised in-process by ``term_weights``."""
    n = default_workers() if workers is None else workers
    seen: set[tuple[str | None, str]] = set()
    pending: list[Article] = []
    for a in todo:  # one request per distinct uncached text
        key = (a.title, a.text)
        if key not in seen and not is_cached(a, w):
            seen.add(key)
            pending.append(a)
    pool = _get_workers(n) if n > 0 and len(pending) >= MIN_PARALLEL else []
    if not pool:
        yield from articles
        return
    if all(wk.ready for wk in pool):
        # a warm worker takes everything; a small first chunk keeps the wait for it short
        head = CHUNK // 4
        chunks = [pending[:head]]
    else:  # a starting worker: the first CHUNK articles stay with the main process
        head, chunks = CHUNK, []
    chunks += [pending[i : i + CHUNK] for i in range(head, len(pending), CHUNK)]
    first = {id(chunk[0]): j for j, chunk in enumerate(chunks)}
    batch = _Batch(chunks, w, pool)
    try:
        for a in articles:
            j = first.pop(id(a), None)
            if j is not None:
                packed = batch.take(j)
                if packed is not None:
                    for b, tw in zip(chunks[j], unpack(packed), strict=True):
                        prime(b, w, tw)
                    if timings is not None:
                        timings[WORKER_STEP] = timings.get(WORKER_STEP, 0.0) + packed[5]
            yield a
    finally:
        batch.close()
        for j in list(first.values()):  # abandoned early: drop replies still to come
            if j in batch.owner:
                batch.owner[j].take((batch.id, j))


def _serve() -> None:
    """The worker's loop: requests from stdin, replies to stdout, until stdin closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the reply pipe
    _write(stdout, (_READY, None))
    while True:
        try:
            tag, keys, w = _read(stdin)
        except EOFError:
            return
        _write(stdout, (tag, featurise_chunk(keys, w)))


if __name__ == "__main__":
    _serve()
