"""Provisioning failure notes: the pure plan (_rules/failure_notes.py) and its writes on a real ColdFront
(_coldfront/notes.py)."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront import access as cf, notes as cn
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.write import ValidationFailed
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import failure_notes as fn

DAY, LATER = '2026-06-01', '2026-06-03'


def note(note_id, allocation_id, text, private=True):
    return {'id': note_id, 'allocation_id': allocation_id, 'text': text, 'private': private}


def actions(plan):
    return [(entry['allocation_id'], entry['action']) for entry in plan]


# ---- the plan (pure) -------------------------------------------------------------------------------------------

def test_texts_round_trip_and_other_notes_are_not_open():
    text = fn.open_text('quota: none (yet)', DAY)
    assert text == '[hpc.coldfront_ecs] Provisioning failed since 2026-06-01: quota: none (yet)'
    assert fn.parse_open(text) == ('quota: none (yet)', DAY)
    resolved = fn.resolved_text(text, LATER)
    assert resolved == ('[hpc.coldfront_ecs] Resolved 2026-06-03: Provisioning failed since 2026-06-01: '
                        'quota: none (yet)')
    for other in (resolved, 'Provisioning failed since 2026-06-01: by hand', '', None):
        assert fn.parse_open(other) is None


def test_a_new_failure_opens_a_note_and_the_same_one_again_writes_nothing():
    [entry] = fn.plan_notes([], [{'allocation_id': 4, 'problem': 'no quota'}], [], DAY)
    assert entry == {'allocation_id': 4, 'note_id': None, 'action': fn.CREATE, 'changed': True, 'private': True,
                     'before': None, 'after': fn.open_text('no quota', DAY)}
    existing = [note(7, 4, entry['after'])]
    [again] = fn.plan_notes(existing, [{'allocation_id': 4, 'problem': 'no quota'}], [], LATER)
    assert (again['action'], again['changed'], again['note_id'], again['after']) == (fn.KEEP, False, 7, entry['after'])


def test_another_problem_or_privacy_rewrites_the_open_note():
    existing = [note(7, 4, fn.open_text('no quota', DAY))]
    [other] = fn.plan_notes(existing, [{'allocation_id': 4, 'problem': 'quota 0'}], [], LATER)
    assert (other['action'], other['note_id'], other['after']) == (fn.UPDATE, 7, fn.open_text('quota 0', LATER))
    [shown] = fn.plan_notes(existing, [{'allocation_id': 4, 'problem': 'no quota'}], [], LATER, private=False)
    assert (shown['action'], shown['private'], shown['after']) == (fn.UPDATE, False, fn.open_text('no quota', DAY))


def test_success_resolves_open_notes_only_and_failure_wins():
    notes = [note(1, 4, fn.open_text('no quota', DAY), private=False),
             note(2, 4, fn.resolved_text(fn.open_text('older', DAY), DAY)),
             note(3, 5, 'a person wrote this'),
             note(4, 6, fn.open_text('foreign namespace', DAY))]
    plan = fn.plan_notes(notes, [{'allocation_id': 6, 'problem': 'foreign namespace'}], [4, 5, 6, 8], LATER)
    assert actions(plan) == [(6, fn.KEEP), (4, fn.RESOLVE)]
    resolved = plan[1]
    assert resolved['note_id'] == 1 and resolved['private'] is False
    assert resolved['after'] == fn.resolved_text(notes[0]['text'], LATER)
    # Once resolved, nothing is open: a later success plans nothing.
    assert fn.plan_notes([note(1, 4, resolved['after'])], [], [4], LATER) == []


def test_two_problems_of_one_allocation_are_joined_once():
    failures = [{'allocation_id': 4, 'problem': 'a'}, {'allocation_id': 4, 'problem': 'b'},
                {'allocation_id': 4, 'problem': 'a'}]
    [entry] = fn.plan_notes([], failures, [], DAY)
    assert entry['after'] == fn.open_text('a; b', DAY)


# ---- writes on a real ColdFront --------------------------------------------------------------------------------

@pytest.fixture
def site(coldfront_site):
    coldfront_site.orm()
    cf.setup_django()
    return coldfront_site


def stored(site, allocation):
    models = site.orm()
    return [(row.note, row.is_private, row.author.username) for row in
            models.AllocationUserNote.objects.filter(allocation_id=allocation).select_related('author').order_by('pk')]


@pytest.mark.coldfront
def test_notes_are_written_once_then_resolved_once(site):
    smith, jones = site.allocation_id('smith-east'), site.allocation_id('jones-east')
    failure = {'allocation_id': smith, 'problem': 'it has no quota', 'project': 'ignored'}

    first = cn.apply_failure_notes([failure], [jones], user='svc-ansible')
    assert first['changed'] and actions(first['notes']) == [(smith, fn.CREATE)]
    [(text, private, author)] = stored(site, smith)
    assert fn.parse_open(text)[0] == 'it has no quota' and private and author == 'svc-ansible'
    assert first['notes'][0]['note_id'] is not None

    again = cn.apply_failure_notes([{'allocation_id': smith, 'error': 'it has no quota'}], [jones])
    assert not again['changed'] and actions(again['notes']) == [(smith, fn.KEEP)]

    check = cn.apply_failure_notes([], [smith], check_mode=True)
    assert check['changed'] and actions(check['notes']) == [(smith, fn.RESOLVE)]
    assert stored(site, smith)[0][0] == text

    done = cn.apply_failure_notes([], [smith, jones])
    assert done['changed'] and actions(done['notes']) == [(smith, fn.RESOLVE)]
    [(resolved, private, author)] = stored(site, smith)
    assert resolved == done['notes'][0]['after'] and (private, author) == (True, 'svc-ansible')
    assert resolved.startswith('[hpc.coldfront_ecs] Resolved ') and resolved.endswith(text[len(fn.PREFIX):])
    assert cn.apply_failure_notes([], [smith, jones]) == {'notes': [], 'changed': False}
    key = 'allocation %d note %d' % (smith, done['notes'][0]['note_id'])
    assert cn.diff_of(done) == {'before': {key: text}, 'after': {key: resolved}}


@pytest.mark.coldfront
def test_first_superuser_signs_when_no_user_is_given(site):
    smith = site.allocation_id('smith-east')
    cn.apply_failure_notes([{'allocation_id': smith, 'problem': 'x y'}], private=False)
    assert stored(site, smith)[0][1:] == (False, 'cfadmin')


@pytest.mark.coldfront
def test_bad_input_writes_nothing(site):
    smith = site.allocation_id('smith-east')
    with pytest.raises(ValidationFailed) as error:
        cn.apply_failure_notes([{'allocation_id': 'x', 'problem': 'p'}, {'allocation_id': smith, 'problem': ' '},
                                {'allocation_id': smith, 'problem': 'fine'}])
    assert len(error.value.errors) == 2
    with pytest.raises(ValidationFailed) as error:
        cn.apply_failure_notes([{'allocation_id': 99999, 'problem': 'p'}, {'allocation_id': smith, 'problem': 'p'}])
    assert error.value.errors == ['allocation 99999 does not exist in ColdFront: nothing written']
    with pytest.raises(ValidationFailed):
        cn.apply_failure_notes([{'allocation_id': smith, 'problem': 'p'}], user='nobody')
    assert stored(site, smith) == []


@pytest.mark.coldfront
def test_no_superuser_and_no_user_is_an_error(site):
    site.orm().User.objects.filter(is_superuser=True).update(is_superuser=False)
    with pytest.raises(cf.ColdFrontError):
        cn.apply_failure_notes([{'allocation_id': site.allocation_id('smith-east'), 'problem': 'p'}])
