"""What the shared HTTP core costs over a bare httpx.Client, against a local server.

Prints requests per second for both and their ratio (one run, same machine, same server), and the
client-side limiter's pacing at each service's documented rate (on a simulated clock).
Run: .venv/bin/python bench/http_core.py
"""

from __future__ import annotations

import time

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from connectors.accounting import RequestStats
from connectors.http import CoreOptions, build_core
from connectors.ratelimit import RATE_LIMITS, RateLimit, SlidingWindowLimiter
from sandbox.server import ServerThread

REQUESTS = 1500


def _app() -> FastAPI:
    app = FastAPI()
    payload = [{"id": f"{i:024x}", "name": f"card {i}", "closed": False} for i in range(20)]

    @app.get("/1/boards/{board_id}/cards")
    async def cards(board_id: str) -> JSONResponse:
        return JSONResponse(payload)

    return app


class SimulatedClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _unlimited() -> SlidingWindowLimiter:
    return SlidingWindowLimiter(RateLimit(10**9, 1.0, "bench"))


def _rate(fn, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - started)


def main() -> None:
    server = ServerThread(_app()).start()
    try:
        raw = httpx.Client(base_url=server.url + "/1/")
        core = build_core(
            "trello",
            server.url + "/1",
            credential="bench",
            options=CoreOptions(limiter=_unlimited(), stats=RequestStats()),
        )
        for _ in range(100):  # warm up both connections
            raw.get("boards/b/cards").json()
            core.request_json("GET", "/boards/{board_id}/cards", path={"board_id": "b"})
        raw_rate = _rate(lambda: raw.get("boards/b/cards").json(), REQUESTS)
        core_rate = _rate(lambda: core.request_json("GET", "/boards/{id}/cards", path={"id": "b"}), REQUESTS)
        print(f"bare httpx:  {raw_rate:8.0f} requests/s")
        print(f"HTTP core:   {core_rate:8.0f} requests/s  (retries, limiter, accounting, logging, redaction)")
        print(f"ratio core/bare: {core_rate / raw_rate:.2f}")
        print(f"requests counted by the core: {core.stats.total()}")
    finally:
        server.stop()
    print("\nclient-side pacing at the documented rates (simulated clock):")
    for service, limit in RATE_LIMITS.items():
        clock = SimulatedClock()
        limiter = SlidingWindowLimiter(limit, clock=clock, sleep=clock.sleep)
        sends = []
        for _ in range(limit.requests * 3 + 1):
            limiter.acquire()
            sends.append(clock.now)
        busiest = max(sum(1 for t in sends if start <= t < start + limit.per_seconds) for start in sends)
        print(
            f"  {service:<7} {len(sends):5d} requests took {clock.now:6.1f} s; at most {busiest} in any "
            f"{limit.per_seconds:g} s window (documented: {limit.requests} per {limit.per_seconds:g} s)"
        )


if __name__ == "__main__":
    main()
