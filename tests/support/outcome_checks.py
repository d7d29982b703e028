"""How the unit tests of provision and adopt check why an allocation did not go through: by its ``kind``."""

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import outcomes


def failed_for(result, kind, kinds, action='failed'):
    """Whether ``result`` has ``action`` (failed or conflict) for the reason ``kind``, which must be one of the
    workflow's documented ``kinds``, and an error message."""
    assert kind in kinds and kind in outcomes.FAILURE_KINDS, kind
    return (result['action'], result['kind']) == (action, kind) and bool(result['error'])
