"""Run every benchmark in turn: the api comparison, the memory check and the client benchmark.

Run from the repository root: ``.venv/bin/python bench/all.py``, which takes about three minutes.
``--smoke`` runs each script as briefly as it allows (under a minute, for CI) to prove that the
scripts still work. Its numbers come from too short a run to compare. A benchmark that fails
stops the run with its exit code.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
#: The throughput comparison as briefly as it runs: one 1-second turn per app and route, no warm-up.
SMOKE_THROUGHPUT_ARGS = ["--duration", "1", "--slice", "1", "--warmup", "0"]
SMOKE_MEMORY_ARGS = ["--warmup", "1"]


def run(script: str, args: list[str]) -> None:
    command = [sys.executable, str(BENCH / script), *args]
    print(f"\n==> {' '.join(['python', f'bench/{script}', *args])}", flush=True)
    started = time.monotonic()
    completed = subprocess.run(command, check=False)  # noqa: S603 - a fixed argument list
    if completed.returncode != 0:
        sys.exit(f"bench/{script} failed with exit code {completed.returncode}")
    print(f"(bench/{script} took {time.monotonic() - started:.0f}s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="run each benchmark as briefly as it allows"
    )
    args = parser.parse_args()

    run("throughput.py", SMOKE_THROUGHPUT_ARGS if args.smoke else [])
    run("memory.py", SMOKE_MEMORY_ARGS if args.smoke else [])
    # bench/client.py has no duration option; it takes about 25 seconds either way.
    run("client.py", [])


if __name__ == "__main__":
    main()
