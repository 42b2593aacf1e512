"""Progress bars for long work (rich), shown only on an interactive terminal.

Stages call ``track`` around their unit loops; logs and tests see no bar noise.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from rich.progress import track as _rich_track

T = TypeVar("T")


def enabled() -> bool:
    return sys.stderr.isatty() and not os.environ.get("NEWSLOOM_NO_PROGRESS")


def track(
    items: Sequence[T] | Iterable[T], description: str, total: int | None = None
) -> Iterator[T]:
    """Iterate ``items`` with a progress bar on stderr when it is a terminal."""
    if not enabled():
        yield from items
        return
    yield from _rich_track(items, description=description, total=total, transient=True)
