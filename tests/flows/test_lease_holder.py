"""Who may take a workspace's lease before it expires: only a run on this host whose holder process is
gone (a killed run), never another host's nor a living process's."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from flows.runner import PROCESS, holder_is_gone


def test_a_dead_process_of_this_host_is_gone_a_living_one_or_another_host_is_not():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    host, rest = PROCESS.split(":", 1)
    namespace = rest.split("@", 1)[1]
    assert host == socket.gethostname()
    assert holder_is_gone(f"hub-x on {host}:{child.pid}@{namespace} [abcd1234]")
    assert not holder_is_gone(f"hub-x on {host}:{os.getppid()}@{namespace} [abcd1234]")  # alive
    assert not holder_is_gone(f"hub-x on {PROCESS} [abcd1234]")  # this very process
    assert not holder_is_gone(f"hub-x on elsewhere:{child.pid}@{namespace} [abcd1234]")
    assert not holder_is_gone(f"hub-x on {host}:{child.pid}@1 [abcd1234]")  # another container
    assert not holder_is_gone("run-a")
