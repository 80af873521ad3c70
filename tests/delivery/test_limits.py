"""Sliding-window limits with a fake clock: Teams' per-conversation windows, overall rate."""

from __future__ import annotations

from collections.abc import Hashable

import pytest

from delivery.limits import (
    DeliveryLimits,
    SlidingWindowLimiter,
    Window,
    overall_windows,
)
from ground.channel_descriptions import TEAMS_CONVERSATION_WINDOWS


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def send_greedily(
    limiter: SlidingWindowLimiter, clock: FakeClock, key: Hashable, until: float
) -> list[float]:
    """Send as often as the limiter allows until `until`; the times of the sends."""
    times: list[float] = []
    while True:
        wait = limiter.wait(key)
        if clock.now + wait >= until:
            return times
        clock.now += wait
        limiter.record(key)
        times.append(clock.now)


def most_in_any_window(times: list[float], seconds: float) -> int:
    """The largest number of sends inside any half-open window [t, t + seconds)."""
    return max(
        (sum(1 for other in times if start <= other < start + seconds) for start in times),
        default=0,
    )


def test_teams_conversation_windows_hold_over_an_hour() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(TEAMS_CONVERSATION_WINDOWS, clock=clock)
    times = send_greedily(limiter, clock, "a:1", until=3600.0)
    assert most_in_any_window(times, 1.0) == 7
    assert most_in_any_window(times, 2.0) == 8
    assert most_in_any_window(times, 30.0) == 60
    assert len(times) == 1800  # the hourly cap is reached, and not exceeded


def test_the_first_seconds_of_a_burst() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(TEAMS_CONVERSATION_WINDOWS, clock=clock)
    for _ in range(7):
        assert limiter.wait("a:1") == 0.0
        limiter.record("a:1")
    assert limiter.wait("a:1") == pytest.approx(1.0)  # 7 per second
    clock.now = 1.0
    limiter.record("a:1")  # the 8th, a second later
    assert limiter.wait("a:1") == pytest.approx(1.0)  # 8 per 2 seconds: wait until t = 2
    clock.now = 2.0
    assert limiter.wait("a:1") == 0.0


def test_conversations_are_limited_independently() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(TEAMS_CONVERSATION_WINDOWS, clock=clock)
    for _ in range(7):
        limiter.record("a:1")
    assert limiter.wait("a:1") > 0
    assert limiter.wait("a:2") == 0.0


def test_the_overall_rate_is_spread_over_each_second() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(overall_windows(30.0), clock=clock)
    times = send_greedily(limiter, clock, "*", until=10.0)
    assert len(times) == 300
    assert most_in_any_window(times, 1.0) == 30
    assert most_in_any_window(times, 0.1) <= 3  # no burst of 30 at the start of a second


@pytest.mark.parametrize("rate", [0.5, 12.5, 200.0])
def test_other_overall_rates_average_out(rate: float) -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(overall_windows(rate), clock=clock)
    times = send_greedily(limiter, clock, "*", until=20.0)
    assert abs(len(times) - rate * 20.0) <= max(1, rate * 0.05)


def test_block_holds_one_conversation_back() -> None:
    clock = FakeClock()
    limits = DeliveryLimits(30.0, clock=clock, headroom=0.0)
    limits.block("a:1", 3.0)
    assert limits.conversation_wait("a:1") == pytest.approx(3.0)
    assert limits.conversation_wait("a:2") == 0.0
    clock.now = 3.0
    assert limits.conversation_wait("a:1") == 0.0


def test_block_all_holds_every_conversation_back() -> None:
    clock = FakeClock()
    limits = DeliveryLimits(30.0, clock=clock, headroom=0.0)
    limits.block_all(5.0)
    assert limits.overall_wait() == pytest.approx(5.0)
    assert limits.conversation_wait("a:2") == 0.0  # the overall turn is what waits
    clock.now = 5.0
    assert limits.overall_wait() == 0.0


def test_headroom_stretches_every_window() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter([Window(1, 1.0)], headroom=0.05, clock=clock)
    limiter.record("a:1")
    assert limiter.wait("a:1") == pytest.approx(1.05)


def test_delivery_limits_combine_conversation_and_overall() -> None:
    clock = FakeClock()
    limits = DeliveryLimits(1.0, clock=clock, headroom=0.0)
    limits.record("a:1")
    assert limits.overall_wait() == pytest.approx(1.0)
    assert limits.conversation_wait("a:2") == 0.0


def test_quiet_conversations_are_forgotten() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(TEAMS_CONVERSATION_WINDOWS, clock=clock)
    for number in range(1024):
        limiter.record(f"a:{number}")
    assert len(limiter) == 1024
    clock.now = 3601.0
    for number in range(1024):
        limiter.record(f"b:{number}")
    assert len(limiter) == 1024  # the a:… keys went when the hour had passed


def test_windows_must_make_sense() -> None:
    with pytest.raises(ValueError):
        Window(0, 1.0)
    with pytest.raises(ValueError):
        overall_windows(0.0)
