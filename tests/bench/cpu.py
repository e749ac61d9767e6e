#!/usr/bin/env python3
"""CPU spent by each server process while one load command runs.

What limits a campaign on any machine is CPU per durable ballot, and ratios of
throughput on a 2-core box mostly measure who got the cores. So the benches
run a load command through this and divide each process group's CPU by the
work done (ballots stored, transactions committed).

  cpu.py --group NAME=PID [--group NAME=tree:PID ...] --out FILE -- CMD ARGS...

A plain PID counts that process (all its threads); tree:PID counts the process,
every descendant alive at either sample, and the children it has already
reaped (cutime/cstime), so PostgreSQL's backends that exit mid-run, pgbench's
for instance, are not lost: their ticks move into the postmaster's reaped
total. The command's own CPU (the load generator) comes from wait4's rusage.
Writes {"wall_s": ..., "client_s": ..., "<group>_s": ...} to FILE; the
command's exit status is this script's. Tick resolution is 1/CLK_TCK (10 ms):
measure thousands of ballots, not a few.
"""
import argparse
import json
import os
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    # The command name may hold spaces and parentheses: fields start after the last ')'.
    return text[text.rindex(")") + 2:].split()


def own_ticks(pid, with_reaped):
    fields = stat_fields(pid)  # fields[0] is state (field 3): utime is field 14
    ticks = int(fields[11]) + int(fields[12])
    if with_reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks


def children(pid):
    """Every live descendant of pid (from /proc/PID/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except FileNotFoundError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{parent}/task/{tid}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except FileNotFoundError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


def sample(groups):
    """Ticks per group; per descendant too, so a child that exits between
    samples can be credited through its parent's reaped total only."""
    out = {}
    for name, (pid, tree) in groups.items():
        ticks = {pid: own_ticks(pid, tree)}
        if tree:
            for child in children(pid):
                try:
                    ticks[child] = own_ticks(child, True)
                except (FileNotFoundError, ProcessLookupError):
                    pass  # exited between listing and reading: its parent reaps it
        out[name] = ticks
    return out


def spent(before, after):
    """Group ticks between samples. A descendant alive at the first sample and
    gone at the second is in its parent's reaped total with its whole life:
    subtract what it had already spent at the first sample."""
    total = 0
    for pid, ticks in after.items():
        total += ticks - before.get(pid, 0)
    for pid, ticks in before.items():
        if pid not in after:
            total -= ticks
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--group", action="append", default=[], help="NAME=PID or NAME=tree:PID")
    parser.add_argument("--out", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run after --")
    groups = {}
    for spec in args.group:
        name, _, target = spec.partition("=")
        tree = target.startswith("tree:")
        pid = int(target[5:] if tree else target)
        os.kill(pid, 0)  # fails fast on a wrong PID
        groups[name] = (pid, tree)

    before = sample(groups)
    began = time.monotonic()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - began
    after = sample(groups)

    result = {"wall_s": wall, "client_s": usage.ru_utime + usage.ru_stime}
    for name in groups:
        result[f"{name}_s"] = spent(before[name], after[name]) / TICK
    with open(args.out, "w") as f:
        json.dump(result, f)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
