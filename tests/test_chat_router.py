from datetime import date

import pytest

from assistant.chat_router import Route, route

DEPTS = ["Marketing", "Sales", "Customer Service", "Finance"]
TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(("message", "expected"), [
    ("draft Q1 OKRs for marketing", Route("draft_okrs", "Marketing", "2027-Q1")),
    ("Please write OKRs for customer service for 2027-Q2",
     Route("draft_okrs", "Customer Service", "2027-Q2")),
    ("create key results for Sales, Q3 2027", Route("draft_okrs", "Sales", "2027-Q3")),
    ("make OKRs for finance", Route("draft_okrs", "Finance", "2027-Q1")),
    ("what are our values?", Route("qa")),
    ("what were marketing's OKRs last quarter?", Route("qa")),
    ("draft OKRs for the legal team", Route("qa")),
])
def test_route(message: str, expected: Route) -> None:
    assert route(message, DEPTS, TODAY) == expected
