"""NinjaOne patch installs in Patch Tuesday waves, and active alerts."""

from __future__ import annotations

import calendar
import random
import time
from dataclasses import dataclass

from syncd.sandbox.world.machines import Device, Machine
from syncd.sandbox.world.names import uuid_from
from syncd.sandbox.world.rows import DAY, HOUR, MINUTE, Ids, Sink, iso

OS_KEYS = {
    "Windows 11": "Windows 11 Version 24H2 for x64-based Systems",
    "Windows 10": "Windows 10 Version 22H2 for x64-based Systems",
    "Windows Server 2022": "Microsoft server operating system version 21H2 for x64-based Systems",
    "Windows Server 2019": "Windows Server 2019 for x64-based Systems",
    "Windows Server 2016": "Windows Server 2016 for x64-based Systems",
}
SOFTWARE = (("Google Chrome", "google-chrome", "CRITICAL"), ("Zoom Workplace", "zoom", "RECOMMENDED"),
            ("7-Zip", "7zip", "RECOMMENDED"), ("Mozilla Firefox", "mozilla-firefox", "CRITICAL"),
            ("Adobe Acrobat Reader DC", "adobe-reader", "CRITICAL"), ("Notepad++", "notepad-plus-plus",
                                                                       "OPTIONAL"),
            ("VLC media player", "vlc", "OPTIONAL"), ("Microsoft Edge", "microsoft-edge", "CRITICAL"))


@dataclass(frozen=True)
class Patch:
    """One patch install as the ticket generator needs it (kept per company only)."""

    id: int
    device_id: int
    installed_at: int
    status: str
    title: str


def patch_tuesdays(start: int, now: int) -> list[int]:
    """Release instants (second Tuesday, 17:00 UTC) whose install window overlaps the history."""
    first = time.gmtime(start - 40 * DAY)
    year, month = first.tm_year, first.tm_mon
    waves = []
    while True:
        weekday = calendar.weekday(year, month, 1)          # Monday = 0, Tuesday = 1
        day = 1 + (1 - weekday) % 7 + 7
        wave = calendar.timegm((year, month, day, 17, 0, 0))
        if wave + DAY >= now:
            break
        if wave + 6 * DAY >= start:
            waves.append(wave)
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return waves


def _os_key(os_name: str) -> str:
    for key in OS_KEYS:
        if os_name.startswith(key):
            return key
    return "Windows 11"


def os_catalog(rng: random.Random, waves: list[int]) -> dict[tuple[int, str], list[tuple]]:
    """Per wave and OS the month's OS patches: (name, kb, severity, patch_type)."""
    catalog = {}
    for i, wave in enumerate(waves):
        ym = time.strftime("%Y-%m", time.gmtime(wave))
        for key, label in OS_KEYS.items():
            cu = f"KB50{rng.randrange(60_000, 79_999)}"
            net = f"KB50{rng.randrange(60_000, 79_999)}"
            catalog[(i, key)] = [
                (f"{ym} Cumulative Update for {label} ({cu})", cu, rng.choice(("CRITICAL", "IMPORTANT")),
                 "SECURITY_UPDATES"),
                (f"{ym} Cumulative Update for .NET Framework 3.5 and 4.8.1 for {label} ({net})", net,
                 "IMPORTANT", "SECURITY_UPDATES"),
                (f"Windows Malicious Software Removal Tool x64 - v5.{130 + i} (KB890830)", "KB890830",
                 "MODERATE", "TOOLS"),
                (f"Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 "
                 f"(Version 1.4{rng.randrange(10, 99)}.{rng.randrange(100, 999)}.0)", "KB2267602", "LOW",
                 "DEFINITION_UPDATES"),
            ]
    return catalog


class PatchWriter:
    """Writes each device's patch installs and returns them for the company's ticket planning."""

    def __init__(self, rng: random.Random, sink: Sink, ids: Ids, waves: list[int], now: int) -> None:
        self.sink, self.ids, self.waves, self.now = sink, ids, waves, now
        self.catalog = os_catalog(rng, waves)
        self.fail_rate = rng.uniform(0.03, 0.08)

    def device(self, rng: random.Random, m: Machine, dev: Device) -> list[Patch]:
        """All installs of one device across the waves it was alive for."""
        out: list[Patch] = []
        key = _os_key(m.os_name)
        for i, wave in enumerate(self.waves):
            # Servers patch in the weekend window; workstations over the following days.
            day = rng.choice((4, 5)) if m.kind == "server" else rng.choice((1, 1, 2, 2, 3, 4, 5))
            base = wave - 17 * HOUR + day * DAY + (rng.randrange(2, 5) if m.kind == "server"
                                                    else rng.randrange(14, 23)) * HOUR
            for n, (name, kb, severity, ptype) in enumerate(self.catalog[(i, key)]):
                if (n == 1 and rng.random() < 0.4) or (n == 3 and rng.random() < 0.5):
                    continue
                at = base + n * 7 * MINUTE + rng.randrange(0, 300)
                self._os(rng, dev, out, at, ("OS", name, kb, None, severity, None, ptype))
            for title, product, impact in rng.sample(SOFTWARE, rng.choice((0, 1, 1, 2, 3))):
                at = base + rng.randrange(0, 20) * HOUR
                version = f"{rng.randrange(1, 140)}.0.{rng.randrange(1000, 9999)}"
                kind = rng.choice(("PATCH", "PATCH", "INSTALLER"))
                self._write(rng, dev, out, at, ("SOFTWARE", f"{title} {version}", None, product, None, impact, kind))
        return out

    def _os(self, rng: random.Random, dev: Device, out: list[Patch], at: int, spec: tuple) -> None:
        if self._write(rng, dev, out, at, spec) == "FAILED" and rng.random() < 0.6:
            # The next maintenance run usually retries and succeeds.
            self._write(rng, dev, out, at + rng.randrange(20, 30) * HOUR, spec, retry=True)

    def _write(self, rng: random.Random, dev: Device, out: list[Patch], at: int, spec: tuple, *,
               retry: bool = False) -> str | None:
        """Write one install; `spec` = (kind, name, kb, product, severity, impact, patch_type)."""
        if at <= dev.created or at > dev.last_contact or at >= self.now:
            return None
        status = "INSTALLED" if retry or rng.random() >= self.fail_rate else "FAILED"
        pid = self.ids.next("patch_installs")
        self.sink.add("patch_installs", (pid, dev.id, *spec, status, iso(at),
                                         iso(min(at + rng.randrange(60, 900), self.now - 1))))
        out.append(Patch(pid, dev.id, at, status, spec[1]))
        return status


ALERTS = (("CONDITION_AGENT_CPU", "MODERATE", "CPU utilization above 90% for 15 minutes"),
          ("CONDITION_AGENT_DISK_FREE_SPACE", "MAJOR", "Disk C: free space below 10%"),
          ("CONDITION_AGENT_PATCH_LAST_INSTALLED", "MINOR", "No OS patches installed in 30 days"),
          ("CONDITION_WINDOWS_SERVICE", "MAJOR", "Service 'Veeam Backup Service' is not running"))


def write_alerts(sink: Sink, rng: random.Random, m: Machine, now: int) -> None:
    """Active alerts: offline agents, and a few triggered conditions."""
    for dev in m.devices:
        if dev.deleted:
            continue
        if dev.offline and rng.random() < 0.6:
            alert = ("AGENT_OFFLINE", "MAJOR", f"{m.hostname} is offline")
            _alert(sink, rng, dev, alert, created=dev.last_contact + 900, now=now)
        elif rng.random() < (0.12 if m.kind == "server" else 0.02):
            _alert(sink, rng, dev, rng.choice(ALERTS), created=now - rng.randrange(1, 96) * HOUR, now=now)


def _alert(sink: Sink, rng: random.Random, dev: Device, alert: tuple[str, str, str], *, created: int,
           now: int) -> None:
    source, severity, message = alert
    created = min(created, now - 60)
    subject = message.split(" is ", maxsplit=1)[0][:60]
    sink.add("alerts", (uuid_from(rng), dev.id, source, severity, subject, message, iso(created),
                        iso(min(created + rng.randrange(0, 3_600), now - 1)), 0))
