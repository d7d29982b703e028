"""Measure one benchmark step: wall time, peak memory, ECS calls, ColdFront rows and history rows.

    step = measure_step(world, 'sync (cold)', lambda: world.run('playbooks/sync.yml'), allocations=2000)
    step.wall, step.cpu, step.peak_mb, step.ecs_calls, step.rows_written, step.history_rows, step.value

The step's function runs in a forked child of the harness, so its processes (ansible-playbook and everything it
starts, or the baseline script) are the child's children: the peak memory is the largest resident set of any one of
them (``RUSAGE_CHILDREN``), never the harness's own, and the CPU time is theirs together (user + system; the
simulators are not the step's children, so their CPU is not in it).  Counters come from outside the step: the
simulators' ``/_sim/stats`` (reset before), and the database before and after (a row is written when its
``modified`` time changes or it is new; history rows are counted in ColdFront's history tables).
"""

import os
import pickle
import resource
import time
import traceback


class StepError(RuntimeError):
    """The step's function raised in the child; the message carries the child's traceback."""


class Step:
    """The measured numbers of one step (plain attributes, see :meth:`as_dict`)."""

    def __init__(self, name, allocations, wall, usage, ecs_calls, routes, rows_written, history_rows, value):
        peak_kb, self.cpu = usage
        self.name = name
        self.allocations = allocations
        self.wall = wall
        self.peak_mb = peak_kb / 1024.0
        self.ecs_calls = ecs_calls
        self.routes = routes
        self.rows_written = rows_written
        self.history_rows = history_rows
        self.value = value
        self.load_average = os.getloadavg()[0]  # at the end of the step: how busy the machine was

    @property
    def calls_per_allocation(self):
        return self.ecs_calls / float(self.allocations) if self.allocations else None

    def as_dict(self):
        return {'step': self.name, 'allocations': self.allocations, 'wall_s': round(self.wall, 3),
                'cpu_s': round(self.cpu, 3),
                'peak_mb': round(self.peak_mb, 1), 'ecs_calls': self.ecs_calls,
                'calls_per_allocation': None if self.calls_per_allocation is None else round(self.calls_per_allocation, 4),
                'rows_written': self.rows_written, 'history_rows': self.history_rows, 'routes': self.routes,
                'load_average': round(self.load_average, 2)}


def in_child(function):
    """``(function(), wall seconds, (peak KB of the largest process it started, CPU seconds of all of them))``,
    run in a forked child."""
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: run, send (ok, value, usage) back, leave without running the parent's exit handlers
        os.close(read_end)
        try:
            payload = (True, function())
        except BaseException:  # pylint: disable=broad-except
            payload = (False, traceback.format_exc())
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        usage = (usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
        with os.fdopen(write_end, 'wb') as stream:
            pickle.dump(payload + (usage,), stream)
        os._exit(0)  # pylint: disable=protected-access
    os.close(write_end)
    with os.fdopen(read_end, 'rb') as stream:
        data = stream.read()
    os.waitpid(pid, 0)
    wall = time.monotonic() - started
    ok, value, usage = pickle.loads(data)
    if not ok:
        raise StepError(value)
    return value, wall, usage


def measure_step(world, name, function, allocations):
    """Run ``function`` (no arguments) as one measured step of ``world``; returns a :class:`Step`."""
    world.site.orm().connection.close()  # the child must not share the harness's database connection
    world.reset_stats()
    rows_before, history_before = world.row_versions(), world.history_total()
    value, wall, usage = in_child(function)
    calls, routes = world.ecs_calls()
    rows_after = world.row_versions()
    return Step(name, allocations, wall, usage, calls, routes, len(rows_after - rows_before),
                world.history_total() - history_before, value)
