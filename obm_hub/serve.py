"""`obm-hub sandbox`: the four emulators until SIGINT or SIGTERM, with the variables that point a hub
(or your own scripts) at them."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from obm_hub import exit_codes


def serve_sandbox(
    *, state_dir: Path | None, port_base: int, seed: int, workspaces: int, rate_limits: bool
) -> int:
    from sandbox import Sandbox

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with Sandbox(
        seed=seed, state_dir=state_dir, rate_limits=rate_limits, port_base=port_base, workspaces=workspaces
    ) as sandbox:
        print("obm-hub sandbox: four emulators on 127.0.0.1 (Ctrl-C to stop)")
        for service in sandbox.emulators:
            log = f"{sandbox.root_url(service)}/_sandbox/requests"
            print(f"  {service:<7} {sandbox.base_url(service)}   (request log: {log})")
        if workspaces > 1:
            print(f"hub file: {sandbox.write_hub_file()} ({workspaces} workspaces)")
        print(f"state: {state_dir or 'in memory'}; point the hub at it with:")
        for name, value in sandbox.environment().items():
            print(f"  export {name}={value}")
        sys.stdout.flush()
        stop.wait()
    return exit_codes.OK
