"""The config's contracts and services: a file's own values, the margin check, and each bad
value refused on its line."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from bot.config import ConfigError, ParleyConfig, load_config
from bot.domain.contracts import SupportHours, Term, shortfalls

GOOD = """\
[contracts]
margin = 0.2
[parties."Acme Networks"]
kind = "supplier"
[parties."Acme Networks".contract]
reference = "ACME-2026-07"
owner = "U0MGR"
response_hours = 2
resolution_hours = 12
availability = 99.9
support_hours = "24x7"
valid_until = 2027-06-30
[parties."DBCo Database Services"]
kind = "supplier"
[parties."DBCo Database Services".contract]
reference = "DBCO-DRAFT-1"
owner = "U0MGR"
response_hours = 4
resolution_hours = 24
availability = 99.5
support_hours = "5x8"
valid_until = 2027-12-31
[parties."Contoso Retail"]
kind = "customer"
[services."ERP for Contoso"]
customer = "Contoso Retail"
sla = { response_hours = 4, resolution_hours = 24, availability = 99.5, support_hours = "5x8" }
underpinned_by = ["Acme Networks", "DBCo Database Services"]
"""


def load(tmp_path: Path, text: str) -> ParleyConfig:
    path = tmp_path / "parley.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_config(path)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    return str(info.value).removeprefix(str(tmp_path / "parley.toml"))


def test_defaults_have_no_contracts() -> None:
    config = ParleyConfig()
    assert config.contracts.margin == 0.2
    assert config.support_contracts == {}
    assert config.customer_services == []


def test_a_files_contracts_and_services(tmp_path: Path) -> None:
    config = load(tmp_path, GOOD)
    acme = config.support_contracts["Acme Networks"]
    assert acme.reference == "ACME-2026-07"
    assert acme.owner_id == "U0MGR"
    assert acme.valid_until == dt.date(2027, 6, 30)
    assert acme.terms.response_hours == 2.0
    assert acme.terms.support_hours is SupportHours.ALWAYS
    (erp,) = config.customer_services
    assert erp.name == "ERP for Contoso"
    assert erp.customer == "Contoso Retail"
    assert erp.underpinned_by == ("Acme Networks", "DBCo Database Services")
    assert erp.sla.availability == 99.5


def test_dbcos_draft_is_weaker_than_the_contoso_sla_acmes_is_not(tmp_path: Path) -> None:
    config = load(tmp_path, GOOD)
    short = shortfalls(config.customer_services, config.support_contracts, config.contracts.margin)
    assert {s.supplier for s in short} == {"DBCo Database Services"}
    by_term = {s.term: (s.contract, s.sla, s.needed) for s in short}
    # 4 h against the SLA's 4 h: it needs at most 4 × 0.8 = 3.2 h; 24 h needs 19.2 h; the
    # SLA allows 0.5 % downtime, 0.4 % with the margin: 99.6 % needed; 5x8 covers 5x8.
    assert by_term == {
        Term.RESPONSE: (4.0, 4.0, 3.2),
        Term.RESOLUTION: (24.0, 24.0, 19.2),
        Term.AVAILABILITY: (99.5, 99.5, 99.6),
    }


def test_office_hours_do_not_cover_a_24x7_sla(tmp_path: Path) -> None:
    text = GOOD.replace('support_hours = "5x8" }', 'support_hours = "24x7" }')
    config = load(tmp_path, text.replace("margin = 0.2", "margin = 0"))
    short = shortfalls(config.customer_services, config.support_contracts, config.contracts.margin)
    assert [(s.supplier, s.term, s.contract, s.sla) for s in short] == [
        ("DBCo Database Services", Term.SUPPORT_HOURS, SupportHours.OFFICE, SupportHours.ALWAYS)
    ]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "needle", "problem"),
    [
        (
            "response_hours = 2\n",
            'response_hours = "two"\n',
            'response_hours = "two"',
            'response_hours: must be a number of hours (got "two")',
        ),
        (
            "resolution_hours = 12\n",
            "resolution_hours = 0\n",
            "resolution_hours = 0",
            "resolution_hours: must be more than 0 and at most 8760 hours (got 0)",
        ),
        (
            "availability = 99.9\n",
            "availability = 100.5\n",
            "availability = 100.5",
            "availability: must be a per cent more than 0 and at most 100 (got 100.5)",
        ),
        (
            'support_hours = "24x7"\n',
            'support_hours = "24/7"\n',
            'support_hours = "24/7"',
            'support_hours: must be "24x7" or "5x8" (got "24/7")',
        ),
        (
            "valid_until = 2027-06-30\n",
            'valid_until = "June"\n',
            'valid_until = "June"',
            'valid_until: must be a date, like 2027-06-30 (got "June")',
        ),
        (
            'owner = "U0MGR"\nresponse_hours = 2',
            'owner = "bob"\nresponse_hours = 2',
            'owner = "bob"',
            'owner: "bob" is not a Slack user id (like U0123ABCD)',
        ),
        (
            "margin = 0.2",
            "margin = 20",
            "margin = 20",
            "contracts.margin: must be a number from 0 to less than 1, like 0.2 for 20 % (got 20)",
        ),
        (
            'customer = "Contoso Retail"',
            'customer = "Contoso Retial"',
            'customer = "Contoso Retial"',
            'services."ERP for Contoso".customer: unknown party "Contoso Retial": '
            "name a party of [parties]",
        ),
        (
            'customer = "Contoso Retail"',
            'customer = "Acme Networks"',
            'customer = "Acme Networks"',
            'services."ERP for Contoso".customer: "Acme Networks" is a supplier, not a customer',
        ),
        (
            'underpinned_by = ["Acme Networks", "DBCo Database Services"]',
            'underpinned_by = ["Acme Networks", "Contoso Retail"]',
            "underpinned_by = ",
            'services."ERP for Contoso".underpinned_by[1]: "Contoso Retail" is a customer, not a '
            "supplier: only a supplier's contract can underpin a service",
        ),
        (
            'underpinned_by = ["Acme Networks", "DBCo Database Services"]',
            'underpinned_by = ["Acme Networks", "Initech"]',
            "underpinned_by = ",
            'services."ERP for Contoso".underpinned_by[1]: unknown party "Initech": '
            "name a party of [parties]",
        ),
        (
            'sla = { response_hours = 4, resolution_hours = 24, availability = 99.5, support_hours = "5x8" }',
            'sla = { response_hours = 4, resolution_hours = 24, availability = 101, support_hours = "5x8" }',
            "sla = ",
            "availability: must be a per cent more than 0 and at most 100 (got 101)",
        ),
    ],
)
def test_each_bad_value_is_refused_on_its_line(
    tmp_path: Path, old: str, new: str, needle: str, problem: str
) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    said = error_of(tmp_path, text)
    assert said.startswith(f":{_line_of(text, needle)}: "), said
    assert said.endswith(problem), said


def test_a_customers_contract_is_refused(tmp_path: Path) -> None:
    text = GOOD + (
        '[parties."Contoso Retail".contract]\nreference = "C-1"\nowner = "U0MGR"\n'
        'response_hours = 1\nresolution_hours = 2\navailability = 99\nsupport_hours = "24x7"\n'
        "valid_until = 2027-01-01\n"
    )
    said = error_of(tmp_path, text)
    line = _line_of(text, '[parties."Contoso Retail".contract]')
    assert said.startswith(f":{line}: "), said
    assert '"Contoso Retail" is a customer: a support contract is a supplier\'s' in said


def test_a_supplier_without_a_contract_cannot_underpin(tmp_path: Path) -> None:
    text = GOOD + '[parties."Initech"]\nkind = "supplier"\n'
    text = text.replace('"Acme Networks", "DBCo Database Services"]', '"Acme Networks", "Initech"]')
    said = error_of(tmp_path, text)
    assert 'underpinned_by[1]: "Initech" has no contract' in said


def test_unknown_keys_name_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, GOOD.replace("response_hours = 2\n", "respond_hours = 2\n", 1))
    said = " | ".join(str(e) for e in info.value.every)
    assert "contract.response_hours: is required" in said
    assert 'unknown key "respond_hours"' in said
    assert "response_hours" in said
    with pytest.raises(ConfigError) as info:
        load(tmp_path, GOOD + '[services."X"]\ncustomer = "Contoso Retail"\nslas = 1\n')
    said = " | ".join(str(e) for e in info.value.every)
    assert 'unknown key "slas" in [services.X] (keys: customer, sla, underpinned_by)' in said


def test_service_names_are_named_and_unique_as_people_read_them(tmp_path: Path) -> None:
    twin = GOOD + (
        '[services."ERP  for CONTOSO"]\ncustomer = "Contoso Retail"\n'
        "sla = { response_hours = 4, resolution_hours = 24, availability = 99.5, "
        'support_hours = "5x8" }\n'
    )
    said = error_of(tmp_path, twin)
    assert said.startswith(f":{_line_of(twin, 'ERP  for CONTOSO')}: "), said
    assert 'service "ERP  for CONTOSO" is the same name as "ERP for Contoso"' in said
    blank = GOOD.replace('[services."ERP for Contoso"]', '[services."  "]')
    assert "a service name must hold letters people can see" in error_of(tmp_path, blank)
