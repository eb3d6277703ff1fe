"""How long each command takes, as a person at a terminal sees it: the wall time of `obm-hub check`,
`plan`, `summary`, `doctor` and `links rebuild` (none starts Prefect), and `obm-hub run`'s time split
(Prefect start-up, reads, plan, apply, summary) as the run itself prints it.

Everything runs as a process in sandbox mode, as `make run` does, in a fresh var dir: a first `run`
syncs the demo business (a minute or more: Notion's 3 requests per second pace its writes), a second
one is the quiet run whose split is printed, then each command is timed `REPEAT` times (the median).
`plan` and `links rebuild` read Toggl, whose documented pace of 1 request per second makes its 4
requests of a read last about 3 s whatever the hub does; `plan --relations tasks` shows the rest.

Run: .venv/bin/python bench/command_times.py [--var DIR]  (a var dir a `run` already synced: reused)
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 3
COMMANDS = (
    ["check"],
    ["summary"],
    ["summary", "--format", "json"],
    ["doctor"],
    ["plan", "--relations", "tasks"],
    ["plan"],
    ["links", "rebuild"],
)
SPLIT = re.compile(r"^\s*time: (?P<split>Prefect start-up.+)$", re.MULTILINE)


def obm_hub(var: Path, *args: str) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall seconds, CPU seconds (user + system, the process and its children) and the result."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OBM_HUB_", "PREFECT_API_URL"))}
    env.update({"OBM_HUB_VAR_DIR": str(var), "OBM_HUB_ENV_FILE": "", "COLUMNS": "200"})
    before, started = _cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "obm_hub", *args], env=env, capture_output=True, text=True, timeout=900
    )
    return time.perf_counter() - started, _cpu() - before, done


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_split(var: Path, label: str) -> None:
    seconds, cpu, done = obm_hub(var, "run")
    found = SPLIT.search(done.stdout)
    split = found.group("split") if found else f"(no time line: exit code {done.returncode})"
    print(f"obm-hub run ({label}): {seconds:5.1f} s wall, {cpu:4.1f} s CPU, exit {done.returncode}")
    print(f"  split: {split}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var", type=Path, help="a var dir to reuse (default: a fresh one)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="obm-hub-bench-") as scratch:
        var = options.var or Path(scratch) / "var"
        print(f"load average: {' '.join(f'{n:.1f}' for n in os.getloadavg())} on {os.cpu_count()} cores")
        if options.var is None:
            run_split(var, "first, from an empty var dir")
        run_split(var, "quiet")
        for command in COMMANDS:
            times, cpus, codes = [], [], set()
            for _ in range(REPEAT):
                seconds, cpu, done = obm_hub(var, *command)
                times.append(seconds)
                cpus.append(cpu)
                codes.add(done.returncode)
            verdict = "under 3 s" if statistics.median(times) < 3 else "OVER 3 s"
            print(
                f"obm-hub {' '.join(command):<26} median {statistics.median(times):4.2f} s wall "
                f"(min {min(times):4.2f}, max {max(times):4.2f}), {statistics.median(cpus):4.2f} s CPU; "
                f"exit {sorted(codes)}; {verdict}"
            )


if __name__ == "__main__":
    main()
