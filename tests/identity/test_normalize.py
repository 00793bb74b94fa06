"""Normal forms: company names, serials (junk, MAC typed in), MACs, hostnames, tokens."""

from __future__ import annotations

import pytest

from syncd.identity import normalize


@pytest.mark.parametrize(("a", "b"), [
    ("Acme Corp", "ACME Corporation, Inc."),
    ("Harbor Plumbing & Heating", "HARBOR PLUMBING AND HEATING LLC"),
    ("Summit Law Group", "Summit Law Group, Inc."),
    ("Cedar Dental", "cedar dental, P.C."),
    ("Müller GmbH", "Müller"),
])
def test_company_names_fold_case_punctuation_and_legal_suffixes(a: str, b: str) -> None:
    assert normalize.company_name(a) == normalize.company_name(b)


def test_company_name_keeps_distinct_names_apart() -> None:
    assert normalize.company_name("Acme Dental") != normalize.company_name("Acme Logistics")


@pytest.mark.parametrize("junk", ["To be filled by O.E.M.", "Default string", "0", "System Serial Number", "None",
                                  "", "  ", "00000000", "N/A"])
def test_junk_serials_are_not_serials(junk: str) -> None:
    assert normalize.serial(junk) is None


def test_real_serials_compare_without_case_spaces_or_dashes() -> None:
    assert normalize.serial("vmware-56 4d 1a") == normalize.serial("VMware-564D1A")
    assert normalize.serial("5CG1234ABC") == "5CG1234ABC"


@pytest.mark.parametrize("typed", ["00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e"])
def test_mac_typed_into_serial_is_recognised(typed: str) -> None:
    assert normalize.looks_like_mac(typed) == "001A2B3C4D5E"


def test_bare_twelve_digits_are_a_mac_only_when_some_record_has_that_mac() -> None:
    # Surface serials are twelve digits; only a known MAC makes them a MAC.
    assert normalize.looks_like_mac("012345678901") is None
    assert normalize.looks_like_mac("001A2B3C4D5E", {"001A2B3C4D5E"}) == "001A2B3C4D5E"


def test_unusable_macs() -> None:
    assert not normalize.is_usable_mac("000000000000")
    assert not normalize.is_usable_mac("FFFFFFFFFFFF")
    assert not normalize.is_usable_mac("01005E000001")              # multicast
    loopback = normalize.mac_prefixes(["02:00:4C"])  # Microsoft loopback adapter
    assert not normalize.is_usable_mac("02004C4F4F50", loopback)
    assert normalize.is_usable_mac("001A2B3C4D5E")


def test_hostnames_and_tokens() -> None:
    assert normalize.hostname("ACME-WS-014.acme.local") == "acme-ws-014"
    assert list(normalize.tokens("User is on ACME-WS-014. Thanks")) == ["user", "is", "on", "acme-ws-014", "thanks"]
    assert normalize.is_hostname_like("acme-ws-014")
    assert not normalize.is_hostname_like("printer")
    assert normalize.username("ACME\\jdoe") == normalize.username("jdoe@acme.com") == "jdoe"


def test_logon_candidates_follow_the_naming_convention_when_the_psa_stores_none() -> None:
    from syncd.identity.normalize import logon_candidates

    patterns = ["{f}{last}", "{first}.{last}", "{email}"]
    contact = {"name": "Mark Mendoza", "email": "mark.mendoza@ironwood.example", "username": None}
    assert logon_candidates(contact, patterns) == {"mmendoza", "mark.mendoza"}
    # A stored logon (a PSA that has one) wins over any convention.
    assert logon_candidates({**contact, "username": "IAG\\mm2"}, patterns) == {"mm2"}
    # A one-word name builds nothing from name patterns; only the e-mail local part is usable.
    assert logon_candidates({"name": "Reception", "email": "frontdesk@x.example"}, patterns) == {"frontdesk"}
    assert logon_candidates({"name": "Reception"}, patterns) == frozenset()
