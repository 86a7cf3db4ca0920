"""The courier state machine's rule as a property: any order of a valid sequence of platform reports, with
duplicates, ends in the same state as the sequence in order; a status never goes backwards."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from o2o.adapters.couriers import RANK
from o2o.couriers.rules import State, fold, newer

# valid lives of one delivery at a platform: (status, platform time, rider)
LIVES = [
    [State("waiting", 1), State("assigned", 2, "A"), State("assigned", 3, "B"), State("at_store", 4, "B"),
     State("delivering", 5, "B"), State("delivered", 6, "B")],
    [State("waiting", 1), State("assigned", 2, "A"), State("cancelled", 3, "A")],
    [State("waiting", 1), State("expired", 9)],
    [State("waiting", 1), State("assigned", 2, "A"), State("at_store", 3, "A"), State("delivering", 4, "A"),
     State("returning", 5, "A"), State("cancelled", 6, "A")],
]
START = State("waiting", 0)


@settings(max_examples=300, deadline=None)
@given(life=st.sampled_from(LIVES), data=st.data())
def test_any_order_with_duplicates_ends_where_the_sequence_ends(life, data):  # type: ignore[no-untyped-def]
    extra = data.draw(st.lists(st.sampled_from(life), max_size=6))
    sent = data.draw(st.permutations(life + extra))
    assert fold(START, sent) == fold(START, life) == life[-1]


@settings(max_examples=200, deadline=None)
@given(life=st.sampled_from(LIVES), data=st.data())
def test_a_status_never_goes_backwards(life, data):  # type: ignore[no-untyped-def]
    sent = data.draw(st.permutations(life))
    state, ranks = START, []
    for report in sent:
        state = fold(state, [report])
        ranks.append((state.status, state.at))
    assert [(RANK[s], at) for s, at in ranks] == sorted((RANK[s], at) for s, at in ranks)


def test_nothing_moves_once_ended():
    for final in ("delivered", "cancelled", "expired"):
        assert not newer(State(final, 5), "delivering", 99)
        assert not newer(State(final, 5), final, 99)
