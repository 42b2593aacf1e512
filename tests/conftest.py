"""Shared fixtures: the demo outlets served on 127.0.0.1 and a configured store beside them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsloom import config
from newsloom.demo.server import DemoServer, write_config
from newsloom.store import Store


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    with DemoServer(slow_seconds=3.0) as server:
        yield server


@pytest.fixture
def demo_config(tmp_path: Path, demo_server: DemoServer) -> config.Config:
    path = tmp_path / "newsloom.toml"
    write_config(path, demo_server.base_url)
    cfg = config.load(path)
    cfg.fetch.timeout = 1.0
    return cfg


@pytest.fixture
def demo_store(demo_config: config.Config) -> Iterator[Store]:
    with Store(demo_config.database_url) as store:
        yield store
