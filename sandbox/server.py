"""Serve an ASGI app with uvicorn on 127.0.0.1, on a free port, in a background thread."""

from __future__ import annotations

import threading
import time

import uvicorn
from starlette.types import ASGIApp


class ServerThread:
    """One uvicorn server in a daemon thread; `start()` returns once it accepts connections."""

    def __init__(self, app: ASGIApp, *, port: int = 0, name: str = "sandbox") -> None:
        # uvicorn binds the socket itself: a socket bound here and handed over answered ~40 ms late
        # per request (measured with bench/http_core.py), one uvicorn binds answers in ~2 ms.
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=f"{name}-server", daemon=True)
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("sandbox server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
