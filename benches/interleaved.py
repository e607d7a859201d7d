#!/usr/bin/env python3
"""Runs commands in interleaved rounds, so that load changes on a shared machine hit all alike.

usage: python3 benches/interleaved.py ROUNDS NAME=COMMAND [NAME=COMMAND ...]

Each round runs every command once (the order rotates from round to round); two warm-up rounds
are not counted. Prints, per command, the median wall time (with its interquartile range) and
the median user and system CPU time of the process, and the ratio of its median wall time to the
first command's. A command that exits with an error stops the run. Used in BENCHMARKS.md §1, §2.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def main() -> None:
    if len(sys.argv) < 3 or "=" not in "".join(sys.argv[2:]):
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    commands = [arg.split("=", 1) for arg in sys.argv[2:]]
    samples = {name: [] for name, _ in commands}
    with open(os.devnull, "w") as devnull:
        for r in range(rounds + 2):
            k = r % len(commands)
            for name, command in commands[k:] + commands[:k]:
                started = time.perf_counter()
                child = subprocess.Popen(shlex.split(command), stdout=devnull, stderr=devnull)
                _, status, usage = os.wait4(child.pid, 0)
                wall = time.perf_counter() - started
                if status != 0:
                    sys.exit(f"{name}: `{command}` failed (wait status {status})")
                if r >= 2:
                    samples[name].append((wall, usage.ru_utime, usage.ru_stime))
    first = None
    for name, _ in commands:
        walls = [s[0] * 1e3 for s in samples[name]]
        wall = statistics.median(walls)
        q1, _, q3 = statistics.quantiles(walls, n=4)
        user = statistics.median(s[1] for s in samples[name]) * 1e3
        system = statistics.median(s[2] for s in samples[name]) * 1e3
        first = first or wall
        print(f"{name:24s} wall median {wall:9.2f} ms (IQR {q1:.2f}-{q3:.2f})  "
              f"user {user:8.2f} ms  sys {system:7.2f} ms  wall / first {wall / first:6.3f}")


if __name__ == "__main__":
    main()
