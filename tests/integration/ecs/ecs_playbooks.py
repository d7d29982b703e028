"""Helpers to write plays for the ECS modules (used by the tests in this directory)."""

FQCN = 'hpc.coldfront_ecs.'


def ecs_environment(sim, **overrides):
    """The ``ECS_*`` variables that point the modules at ``sim`` (its admin user, its CA); None drops a variable."""
    env = {'ECS_HOST': sim.host, 'ECS_PORT': str(sim.port), 'ECS_USER': sim.admin.username,
           'ECS_PASS': sim.admin.password, 'ECS_CA_PATH': sim.ca_path}
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def task(title, module, register=None, ignore_errors=False, **args):
    """The task ``title`` calling ``hpc.coldfront_ecs.<module>`` with ``args``."""
    entry = {'name': title, FQCN + module: args}
    if register:
        entry['register'] = register
    if ignore_errors:
        entry['ignore_errors'] = True
    return entry


def only(result, name):
    """The single module result of the task ``name``."""
    results = result.results(name)
    assert len(results) == 1, (name, result.output)
    return results[0]


def failure(result, name):
    """The module result of the task ``name``, which must have failed (``ignore_errors`` or not)."""
    events = result.task(name)
    assert len(events) == 1 and events[0]['status'] in ('failed', 'ignored'), (name, events, result.output)
    return events[0]['result']
