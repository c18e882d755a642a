"""The contracts' rules: renewals at 90/30/7 days, the response time in support hours, and
finding a contract or a service by name."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain import contracts as rules
from bot.domain.calendar import calendar_for
from bot.domain.contracts import Contract, Service, SupportHours, Terms
from bot.domain.errors import InvalidInput

TERMS = Terms(
    response_hours=4,
    resolution_hours=24,
    availability=99.5,
    support_hours=SupportHours.OFFICE,
)
END = date(2027, 6, 30)


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2027, 3, 31), None),  # 91 days left
        (date(2027, 4, 1), 90),
        (date(2027, 5, 30), 90),  # 31 left
        (date(2027, 5, 31), 30),
        (date(2027, 6, 22), 30),  # 8 left
        (date(2027, 6, 23), 7),
        (date(2027, 6, 30), 7),  # the last day
        (date(2027, 7, 1), None),  # ended
    ],
)
def test_renewal_due_is_the_nearest_threshold_reached(today: date, due: int | None) -> None:
    assert rules.renewal_due(END, today) == due


def test_expiring_lists_what_ends_within_30_days_soonest_first() -> None:
    def signed(party: str, until: date) -> Contract:
        return Contract(party=party, reference=party, owner_id="U0", terms=TERMS, valid_until=until)

    soon, later, ended, far = (
        signed("B", date(2027, 6, 20)),
        signed("A", date(2027, 6, 30)),
        signed("C", date(2027, 5, 31)),
        signed("D", date(2027, 7, 2)),
    )
    assert rules.expiring([later, far, ended, soon], date(2027, 6, 1)) == [soon, later]


SHANGHAI = calendar_for("CN", "Asia/Shanghai")


def local(y: int, m: int, d: int, h: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=SHANGHAI.tz)


def test_24x7_counts_wall_time_through_a_weekend() -> None:
    friday_evening = local(2026, 11, 27, 22)
    due = rules.response_due(friday_evening, 4, SupportHours.ALWAYS, SHANGHAI)
    assert due == local(2026, 11, 28, 2).astimezone(UTC)


def test_5x8_counts_office_hours_of_working_days_only() -> None:
    # Friday 15:00 + 4 office hours: 2 on Friday (to 17:00), then Monday 09:00 + 2 = 11:00.
    due = rules.response_due(local(2026, 11, 27, 15), 4, SupportHours.OFFICE, SHANGHAI)
    assert due == local(2026, 11, 30, 11).astimezone(UTC)
    # Opened at night: the clock starts at the next opening.
    assert rules.response_due(local(2026, 11, 24, 20), 2, SupportHours.OFFICE, SHANGHAI) == local(
        2026, 11, 25, 11
    ).astimezone(UTC)
    # 12 office hours span a whole day and a half.
    assert rules.response_due(local(2026, 11, 24, 9), 12, SupportHours.OFFICE, SHANGHAI) == local(
        2026, 11, 25, 13
    ).astimezone(UTC)


def test_5x8_skips_a_public_holiday() -> None:
    # 2027-01-01 (a Friday) is New Year's Day in China: Thursday 16:00 + 3 h → Monday 11:00.
    assert not SHANGHAI.is_working_day(date(2027, 1, 1))
    due = rules.response_due(local(2026, 12, 31, 16), 3, SupportHours.OFFICE, SHANGHAI)
    assert due == local(2027, 1, 4, 11).astimezone(UTC)


def test_find_a_contract_by_party_or_reference_and_a_service_by_name() -> None:
    acme = Contract(
        party="Acme Networks", reference="ACME-2026-07", owner_id="U0", terms=TERMS, valid_until=END
    )
    erp = Service(
        name="ERP for Contoso",
        customer="Contoso Retail",
        sla=TERMS,
        underpinned_by=("Acme Networks",),
    )
    assert rules.find("acme  networks", [acme], [erp]) is acme
    assert rules.find("acme-2026-07", [acme], [erp]) is acme
    assert rules.find("ERP for contoso", [acme], [erp]) is erp
    with pytest.raises(InvalidInput) as info:
        rules.find("Initech", [acme], [erp])
    assert info.value.code == "contract.unknown"
    assert info.value.params == {"name": "Initech"}
