"""The conflict rules: the server wins for items changed on both sides, a local star is never lost."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from newsreader.core.sync.conflicts import (
    MARK_FEED_READ,
    READ,
    STAR,
    UNREAD,
    UNSTAR,
    Baseline,
    Change,
    coalesce,
    resolve,
)

WHEN = datetime(2026, 11, 30, tzinfo=UTC)


def change(number: int, op: str, target: str = "1") -> Change:
    return Change(number, op, target, None, WHEN)


def test_a_read_change_loses_to_a_server_change_of_the_same_item() -> None:
    known = frozenset({"1", "2"})
    baselines = {"1": Baseline(read=False, starred=False), "2": Baseline(read=False, starred=False)}
    # item 1 was read on another device since the last sync; item 2 was not touched there
    result = resolve([change(1, UNREAD, "1"), change(2, READ, "2")], frozenset({"2"}), frozenset(), known, baselines)
    assert [c.id for c in result.send] == [2]
    assert [c.id for c in result.superseded] == [1]


def test_a_local_star_is_never_lost() -> None:
    baselines = {"1": Baseline(read=False, starred=True)}
    # unstarred on the server since the last sync, starred again here: the star is sent
    result = resolve([change(1, STAR)], frozenset({"1"}), frozenset(), frozenset({"1"}), baselines)
    assert [c.id for c in result.send] == [1]
    # but a local unstar of an item starred on the server since the last sync loses
    result = resolve(
        [change(2, UNSTAR)], frozenset({"1"}), frozenset({"1"}), frozenset({"1"}), {"1": Baseline(False, False)}
    )
    assert result.superseded == (change(2, UNSTAR),)


def test_unknown_items_feed_changes_and_refused_changes() -> None:
    refused = Change(3, READ, "1", None, WHEN, refused="gone")
    result = resolve(
        [change(1, READ, "99"), change(2, MARK_FEED_READ, "feed/1"), refused], frozenset(), frozenset(), frozenset(), {}
    )
    assert [c.id for c in result.send] == [1, 2]
    assert result.superseded == ()


def test_coalesce_keeps_each_items_last_state_in_order() -> None:
    queue = [change(1, READ), change(2, STAR), change(3, UNREAD), change(4, MARK_FEED_READ, "f"), change(5, READ, "2")]
    assert [c.id for c in coalesce(queue)] == [2, 3, 4, 5]


states = st.fixed_dictionaries({"read": st.booleans(), "starred": st.booleans()})


@given(
    ops=st.lists(st.sampled_from([READ, UNREAD, STAR, UNSTAR]), min_size=1, max_size=8),
    baseline=states,
    server=states,
)
def test_properties(ops: list[str], baseline: dict[str, bool], server: dict[str, bool]) -> None:
    queue = coalesce([change(n, op) for n, op in enumerate(ops)])
    result = resolve(
        queue,
        frozenset() if server["read"] else frozenset({"1"}),
        frozenset({"1"}) if server["starred"] else frozenset(),
        frozenset({"1"}),
        {"1": Baseline(baseline["read"], baseline["starred"])},
    )
    assert sorted(result.send + result.superseded, key=lambda c: c.id) == list(queue)
    assert all(c.op != STAR for c in result.superseded)  # a local star is never lost
    for dropped in result.superseded:  # only ever because the server changed that state
        if dropped.op in (READ, UNREAD):
            assert baseline["read"] != server["read"]
        else:
            assert baseline["starred"] != server["starred"]
    if baseline == server:  # nothing changed there: everything is sent
        assert result.superseded == ()
