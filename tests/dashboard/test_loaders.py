"""The dashboard's start-up: the caches are filled before the server answers, and a failure there
does not keep the server from starting."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

from dashboard import inputs, loaders


def _start_up(events: list[str]) -> None:
    """Run the server's start-up hook; "serving" is noted when it lets the server answer."""

    async def run() -> None:
        async with loaders.warm_at_start(None):
            events.append("serving")

    # in a thread of its own: the browser tests' driver may hold an event loop in this one
    errors: list[BaseException] = []
    thread = threading.Thread(target=lambda: _run_catching(run, errors))
    thread.start()
    thread.join(timeout=120)
    if errors:
        raise errors[0]


def _run_catching(run: Any, errors: list[BaseException]) -> None:
    try:
        asyncio.run(run())
    except BaseException as exc:  # handed to the test's thread
        errors.append(exc)


def test_the_caches_are_filled_before_the_server_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []

    def warm(text: str, source: str) -> bool:
        assert text == inputs.seed().text
        events.append(f"warm {source}")
        return True

    monkeypatch.setattr(loaders, "warm", warm)
    _start_up(events)
    assert events == [f"warm {inputs.SEED_PATH.name}", "serving"]


def test_a_failed_start_up_is_logged_and_the_server_still_starts(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> inputs.ArticleRecord:
        raise OSError("data/samples/article-000.txt: no such file")

    monkeypatch.setattr(inputs, "seed", broken)
    events: list[str] = []
    with caplog.at_level(logging.INFO, logger="dashboard.loaders"):
        _start_up(events)
    assert events == ["serving"]
    assert "warming the caches at start-up failed" in caplog.text and "no such file" in caplog.text
    assert "(caches cold)" in caplog.text


def test_a_cache_that_cannot_be_filled_is_reported(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def fail() -> bool:
        raise RuntimeError("boundaries unreadable")

    monkeypatch.setattr(loaders, "reference_data", fail)
    with caplog.at_level(logging.ERROR, logger="dashboard.loaders"):
        assert loaders.warm("text", "source.txt") is False
    assert "warming the caches failed" in caplog.text and "boundaries unreadable" in caplog.text
