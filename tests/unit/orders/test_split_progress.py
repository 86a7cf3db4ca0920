"""An order served from several locations is as far as its least advanced open part (issue 13)."""

from __future__ import annotations

import pytest

from o2o.orders.service import progress_of


@pytest.mark.parametrize(("statuses", "order"), [
    (["new", "new"], "paid"),
    (["handed_over", "new"], "paid"),  # one part collected, the other not started
    (["picking", "ready"], "picking"),
    (["short", "ready"], "picking"),  # a short part waits for re-sourcing or the customer
    (["ready", "shipped"], "ready"),
    (["delivered", "shipped"], "shipped"),
    (["handed_over", "delivered"], "completed"),  # completed only when every part is
    (["cancelled", "handed_over"], "completed"),  # a part re-sourced away does not count
    (["cancelled", "cancelled"], None),
])
def test_an_order_is_as_far_as_its_least_advanced_open_part(statuses, order):
    assert progress_of(statuses) == order
    assert progress_of(list(reversed(statuses))) == order  # whatever order the parts were made in
