"""Normal forms of the values identity matching compares: company names, serials, MACs, hostnames."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

# Placeholders OEM firmware and lazy data entry leave in serial fields (compared upper-case,
# without spaces); each is shared by thousands of unrelated machines.
JUNK_SERIALS = frozenset({
    "TOBEFILLEDBYO.E.M.", "TOBEFILLEDBYOEM", "DEFAULTSTRING", "0", "SYSTEMSERIALNUMBER", "NONE", "",
    "NOTSPECIFIED", "NOTAPPLICABLE", "N/A", "NA", "UNKNOWN", "CHASSISSERIALNUMBER", "BASEBOARDSERIALNUMBER",
    "INVALID", "NULL", "123456789", "0123456789", "1234567890", "SERIAL", "OEM", "DEFAULT", "EMPTY",
})
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "gmbh", "corp", "corporation", "co",
    "company", "pc", "plc", "ag", "sa", "sarl", "bv", "nv", "pty", "group", "the",
})
_HEX12 = re.compile(r"^[0-9A-F]{12}$")
_MAC_SEPARATED = re.compile(
    r"^[0-9A-F]{2}([:-])[0-9A-F]{2}(?:\1[0-9A-F]{2}){4}$|^[0-9A-F]{4}\.[0-9A-F]{4}\.[0-9A-F]{4}$")
_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?")
_SERIAL_STRIP = re.compile(r"[\s-]+")


def company_name(name: str | None) -> str:
    """Case, punctuation, '&'/'and' and legal suffixes folded away: "ACME Corp., Inc." -> "acme"."""
    if not name:
        return ""
    text = name.lower().replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[.'\u2019]", "", text)     # "P.C." -> "pc", "O'Brien" -> "obrien"
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    words = [w for w in words if w != "and"]
    # Strip trailing legal words repeatedly ("Group, Inc."), but never the whole name.
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


def identifier(value: str | None) -> str:
    """A short company identifier compared case- and punctuation-insensitively."""
    return re.sub(r"[^a-z0-9]", "", (value or "").lower())


def mac(value: str | None) -> str | None:
    """Twelve upper-case hex digits, or None when `value` is not a MAC address."""
    if not value:
        return None
    text = value.strip().upper()
    if _MAC_SEPARATED.match(text):
        return re.sub(r"[:.-]", "", text)
    return text if _HEX12.match(text) else None


def mac_prefixes(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Configured MAC prefixes ("02:00:4C") in the comparable form of `mac` ("02004C")."""
    return tuple(re.sub(r"[:.-]", "", p.upper()) for p in prefixes)


def is_usable_mac(value: str, ignore_prefixes: tuple[str, ...] = ()) -> bool:
    """False for all-zero, broadcast, multicast and virtual-adapter MACs (prefixes from `mac_prefixes`)."""
    if value in ("000000000000", "FFFFFFFFFFFF") or int(value[1], 16) & 1:
        return False
    return not value.startswith(ignore_prefixes)


def looks_like_mac(serial: str | None, known_macs: frozenset[str] | set[str] = frozenset()) -> str | None:
    """The MAC typed into a serial field, or None.

    A separated form ("AA:BB:..", "AA-BB-..") is always a MAC; twelve bare hex digits only when
    that MAC is known from some record, because real serials can be twelve digits (Surface).
    """
    if not serial:
        return None
    text = serial.strip().upper()
    if _MAC_SEPARATED.match(text):
        return mac(text)
    return text if _HEX12.match(text) and text in known_macs else None


def serial(value: str | None, junk: frozenset[str] = JUNK_SERIALS) -> str | None:
    """The comparable serial (upper case, no spaces or dashes), or None for a junk placeholder."""
    if value is None:
        return None
    text = _SERIAL_STRIP.sub("", value.strip().upper())
    if text in junk or len(text) < 3 or len(set(text)) == 1:
        return None
    return text


def junk_set(extra: Iterable[str]) -> frozenset[str]:
    """The built-in junk serials plus configured ones, in comparable form."""
    return JUNK_SERIALS | {_SERIAL_STRIP.sub("", e.strip().upper()) for e in extra}


def hostname(value: str | None) -> str:
    """Lower case, without the DNS domain: "ACME-WS-014.acme.local" -> "acme-ws-014"."""
    text = (value or "").strip().lower()
    return text.split(".", 1)[0] if " " not in text else text


def is_hostname_like(value: str) -> bool:
    """True for names a ticket may mention as a machine (digits or dashes, not a plain word)."""
    return len(value) >= 3 and bool(_TOKEN.fullmatch(value)) and any(c.isdigit() or c == "-" for c in value)


def tokens(text: str | None) -> Iterator[str]:
    """Whole tokens of free text, lower case; "ACME-WS-014." yields "acme-ws-014"."""
    for match in _TOKEN.finditer(text or ""):
        yield match.group(0).lower()


def logon_candidates(contact: Mapping[str, Any], patterns: Sequence[str]) -> frozenset[str]:
    """The Windows logons a contact may use: a stored username, else names built by `patterns`.

    PSAs keep a contact's name and e-mail, not their logon, so the RMM's last logged-on user can
    only be matched through the MSP's naming convention ("{f}{last}" = jdoe, "{first}.{last}").
    """
    stored = username(contact.get("username"))
    if stored:
        return frozenset({stored})
    words = [w for w in re.split(r"[^a-z0-9]+", str(contact.get("name") or "").lower()) if w]
    local = str(contact.get("email") or "").lower().split("@", 1)[0]
    if len(words) < 2 and not local:
        return frozenset()
    first, last = (words[0], words[-1]) if len(words) >= 2 else ("", "")
    parts = {"first": first, "last": last, "f": first[:1], "l": last[:1], "email": local}
    found = set()
    for pattern in patterns:
        try:
            name = pattern.format_map(parts)
        except (KeyError, ValueError):
            continue  # settings validation reports bad patterns; never guess here
        if name and ("{email}" in pattern or (first and last)):
            found.add(name)
    return frozenset(found)


def username(value: str | None) -> str:
    """A logon name without its domain: "ACME\\jdoe" or "jdoe@acme.com" -> "jdoe"."""
    text = (value or "").strip().lower()
    return text.rsplit("\\", 1)[-1].split("@", 1)[0]
