"""numpynn.cli.common's readings of what users type."""

from __future__ import annotations

import pytest

from numpynn.cli.common import decimal_comma


@pytest.mark.parametrize(("text", "in_a_list", "point"), [
    ("0,001", True, "0.001"),    # a list never has an item '001'
    ("0,2", False, "0.2"),       # one value: a 0 before the comma is a decimal comma
    ("0,2", True, None),         # in a list: 0 and 2
    ("1,5e-3", True, "1.5e-3"),  # not the list 1 and 0.005
    ("2,5E-4", False, "2.5E-4"),
    ("0,1e-4", True, None),      # an L2 search's 0 and 1e-4
    ("1e-3,3e-3", True, None),
    ("64,128", True, None),
])
def test_decimal_comma(text, in_a_list, point):
    assert decimal_comma(text, in_a_list=in_a_list) == point
