"""Symptom families: what tickets are about, how they read, how they get fixed and documented."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """One recurring kind of problem or request, with the text a service desk writes about it."""

    key: str                      # symptom name used in truth ("outlook crashes")
    target: str                   # user (a user's PC) | server | none (no machine) | site (outage)
    weight: int                   # relative frequency on the Service Desk board
    type_name: str
    subtype: str
    item: str
    priority: tuple[int, ...]     # candidate priority levels 1..4
    summaries: tuple[str, ...]    # "{host}" is replaced by a hostname when the text names one
    quote: str                    # what the user said, verbatim
    triage: str                   # internal analysis note
    resolution: str               # a resolution a future technician can use
    code: str                     # resolution code
    kb: str                       # KB article title covering this symptom


FAMILIES: tuple[Family, ...] = (
    Family("outlook crashes", "user", 9, "Incident", "Email", "Outlook", (2, 3),
           ("Outlook crashes on startup", "Outlook keeps closing when opening attachments",
            "Outlook not responding after update", "Outlook freezes - Not Responding"),
           "Outlook just closes by itself every time I open it, I can't get to my email.",
           "Reproduced in user session. Event ID 1000, faulting module olmapi32.dll. Safe mode opens.",
           "Corrupt Outlook profile after the Office build update. Rebuilt the profile via Control Panel > "
           "Mail, re-ran Test E-mail AutoConfiguration, disabled the stale COM add-in. User verified "
           "sending and opening attachments while on the session.", "Configuration Change",
           "Outlook crashes on startup: rebuild the profile and check COM add-ins"),
    Family("vpn won't connect", "user", 7, "Incident", "Network", "VPN", (2, 3),
           ("VPN won't connect from home", "FortiClient VPN stuck at 98%", "VPN connection timeout",
            "Cannot connect to VPN"),
           "The VPN says connection timeout and I can't reach the shared drive from home.",
           "Client logs show IKE phase 1 timeout. Credentials OK, MFA prompt received.",
           "FortiClient 7.0.7 profile pointed at the retired gateway address. Updated the remote gateway to "
           "vpn.<client domain>, re-imported the profile, confirmed the tunnel and S: drive access with "
           "the user on hotspot.", "Configuration Change",
           "VPN client troubleshooting (FortiClient timeouts and gateway changes)"),
    Family("printer offline", "user", 8, "Incident", "Printing", "Printer", (3, 4),
           ("Printer offline - cannot print", "Front desk printer showing offline", "Print jobs stuck in queue",
            "Can't print to the copier"),
           "It says the printer is offline but everyone else can print.",
           "Spooler running, port points at old IP 10.x.x.41 (DHCP lease changed).",
           "Printer lost its DHCP reservation and moved address. Re-created the reservation on the firewall, "
           "reset the TCP/IP port to the reserved address, cleared the stuck queue. Test page printed.",
           "Configuration Change", "Printer shows offline: check reservation, port and spooler"),
    Family("slow pc after update", "user", 7, "Incident", "Hardware", "Workstation", (3,),
           ("PC very slow since updates", "Computer slow after Windows update", "Laptop takes 10 min to boot",
            "Everything is slow since Wednesday"),
           "Since the updates this week the computer is really slow, takes forever to open anything.",
           "Disk at 100% active time, Windows Update still servicing. Reviewed patch history in the RMM.",
           "Pending cumulative update was stuck half-installed. Ran DISM /RestoreHealth and sfc /scannow, "
           "completed the update and rebooted; boot time back to 40 s, disk idle.", "Patch/Update Applied",
           "Slow PC after Patch Tuesday: finish servicing, DISM and SFC"),
    Family("bsod", "user", 4, "Incident", "Hardware", "Workstation", (2, 3),
           ("Blue screen on startup", "BSOD - DRIVER_IRQL_NOT_LESS_OR_EQUAL", "Computer keeps blue screening",
            "Blue screen after update"),
           "My computer crashed with a blue screen twice this morning.",
           "Minidump points at the display driver (igdkmdn64.sys) updated by the last patch run.",
           "Rolled back the Intel display driver pushed with the patch run and blocked it in the patch policy. "
           "No further bugchecks after two reboots and a full workday.", "Patch/Update Applied", ""),
    Family("password reset", "none", 8, "Service Request", "Account", "Password", (3, 4),
           ("Password reset request", "Locked out of account", "Forgot password - need reset",
            "Account locked out again"),
           "I'm locked out and need my password reset please.",
           "Verified caller by callback to the number on file. Account locked after 5 bad attempts.",
           "Verified identity by callback, unlocked the AD account and issued a temporary password with "
           "change-at-next-logon; user signed in and re-synced the phone mail profile.", "Resolved - Remote Fix",
           "Password reset and account unlock (caller verification first)"),
    Family("mapped drive missing", "user", 5, "Incident", "Network", "File Share", (3,),
           ("S: drive missing", "Mapped drives gone after login", "Cannot access shared drive",
            "Network drive disconnected"),
           "My S: drive disappeared, I can't get to any of the shared files.",
           "GPO drive map applied with error 0x80070035; user not in the Share-Staff group since the move.",
           "User had been removed from Share-Staff during the OU move. Re-added the group membership, ran "
           "gpupdate /force and klist purge; S: and P: mapped at logon.", "Configuration Change",
           "Mapped drives missing at logon: group membership and drive-map GPO"),
    Family("teams audio", "user", 5, "Incident", "Software", "Microsoft Teams", (3,),
           ("Teams audio not working in meetings", "No sound in Teams calls", "Teams microphone not detected",
            "People can't hear me on Teams"),
           "Nobody can hear me in Teams meetings but my headset works in other apps.",
           "Teams device settings pointed at the dock's audio device; new Teams client installed beside classic.",
           "Removed classic Teams, cleared the new Teams cache, set the headset as the default communication "
           "device and in Teams; test call verified with the user.", "Resolved - Remote Fix",
           "Teams audio and microphone problems"),
    Family("mfa enrolment", "none", 4, "Service Request", "Account", "MFA", (3,),
           ("New phone - need MFA re-enrollment", "Authenticator app not receiving prompts",
            "MFA not working on new phone"),
           "I got a new phone and the Authenticator app doesn't have my account anymore.",
           "Verified via manager on Teams. Old method registered on the previous device.",
           "Verified identity with the manager, revoked the old authentication methods, issued a Temporary "
           "Access Pass and watched the user register Authenticator on the new phone.", "Resolved - Remote Fix",
           "MFA re-enrollment for a new phone (Temporary Access Pass)"),
    Family("new user setup", "none", 4, "Service Request", "Account", "Onboarding", (4,),
           ("New starter setup for Monday", "New user account setup", "Onboarding: new hire next week"),
           "We have a new hire starting Monday, please set up their account and email.",
           "Manager approval attached. License available in tenant.",
           "Created AD and M365 accounts from the onboarding template, assigned Business Premium, added "
           "department groups and the shared mailbox, sent credentials to the manager by phone.",
           "Resolved - Remote Fix", ""),
    Family("software install", "user", 4, "Service Request", "Software", "Application", (4,),
           ("Please install Adobe Acrobat Pro", "Need Visio installed", "Install request: Zoom plugin",
            "Need Power BI Desktop"),
           "Can you please install the software I need for a project?",
           "License confirmed with the office manager.",
           "Deployed the package from the RMM software library, assigned the license, user signed in "
           "and opened a document.", "Resolved - Remote Fix", ""),
    Family("wifi drops", "user", 4, "Incident", "Network", "Wireless", (3,),
           ("Wi-Fi keeps dropping", "Laptop disconnects from wireless", "Wireless very unreliable in the office"),
           "My laptop keeps dropping off the Wi-Fi every few minutes.",
           "WLAN AutoConfig events 8003; Intel AX211 driver two years old; power saving enabled.",
           "Updated the Intel AX211 driver to 23.x, disabled adapter power saving, removed the stale guest "
           "SSID profile. No drops over 2 h of monitoring.", "Patch/Update Applied",
           "Laptop Wi-Fi drops: driver, power management, stale profiles"),
    Family("onedrive sync", "user", 4, "Incident", "Software", "OneDrive", (3,),
           ("OneDrive not syncing", "OneDrive sync error - files pending", "Files not syncing to SharePoint"),
           "OneDrive has a red X and my files are not syncing.",
           "Sync stuck on a path over 400 characters in the Projects library.",
           "Renamed the over-long folder path, reset the OneDrive client (onedrive.exe /reset) and "
           "re-linked the library; pending count went to zero.", "Resolved - Remote Fix",
           "OneDrive sync stuck: path length, reset and relink"),
    Family("monitor not detected", "user", 3, "Incident", "Hardware", "Docking Station", (3, 4),
           ("Second monitor not detected", "Docking station display not working", "Monitors black after docking"),
           "My second screen stopped working when I plug into the dock.",
           "Dock firmware outdated, DisplayLink driver missing after reinstall.",
           "Updated the WD19 dock firmware and installed the DisplayLink driver; both monitors detected "
           "after reconnect.", "Hardware Replaced", ""),
    Family("application won't open", "user", 4, "Incident", "Software", "Line of Business", (2, 3),
           ("QuickBooks won't open", "Line-of-business app won't launch", "Dentrix won't start",
            "App crashes when opening"),
           "The program won't open at all, it just spins and then nothing.",
           "Defender for Endpoint blocked a DLL from the vendor update (ASR rule).",
           "ASR rule blocked the vendor's updated DLL. Added a scoped exclusion approved by the client, "
           "confirmed with the vendor's hash; app opens and prints.", "Configuration Change", ""),
    Family("low disk space", "server", 3, "Alert", "Server", "Storage", (2, 3),
           ("Disk space low on C: - {host}", "Low disk space alert {host}", "{host}: C: below 10% free"),
           "RMM condition: C: free space below 10%.",
           "WinSxS and IIS logs using 40 GB.",
           "Cleaned IIS logs older than 30 days, ran DISM component cleanup, added log rotation task; "
           "C: at 38% free.", "Configuration Change", "Server low disk space: safe cleanup steps"),
    Family("backup failed", "server", 3, "Alert", "Backup", "Backup", (2,),
           ("Backup job failed on {host}", "Veeam backup failed - {host}", "{host} backup did not complete"),
           "Backup job reported Failed: VSS snapshot error.",
           "VSS writer SqlServerWriter in failed state.",
           "Restarted the SQL VSS Writer service, re-ran the job successfully, scheduled SQL maintenance "
           "outside the backup window.", "Vendor Fix", "Backup failed with VSS errors"),
    Family("agent offline", "server", 2, "Alert", "Server", "Monitoring", (2, 3),
           ("{host} offline - agent not reporting", "Device offline: {host}"),
           "RMM condition: device has not checked in for 15 minutes.",
           "Server responds to ping; NinjaOne agent service stopped after update.",
           "Agent service stopped after the agent update; restarted it and set recovery actions to restart.",
           "Resolved - Remote Fix", ""),
    Family("internet outage", "site", 1, "Incident", "Network", "Internet", (1,),
           ("Internet down at main office", "Whole office lost internet", "No internet - all users affected"),
           "Nobody in the office can get on the internet, phones are down too.",
           "Firewall WAN1 down, ISP modem unreachable. ISP outage ticket opened.",
           "ISP fiber cut confirmed; failed over to the LTE backup and restored primary when the ISP "
           "repaired the line. Verified VoIP and internet for all users.", "Vendor Fix", ""),
)

BY_KEY = {family.key: family for family in FAMILIES}
MONITORING = tuple(f for f in FAMILIES if f.target == "server")
USER_DEVICE = tuple(f for f in FAMILIES if f.target == "user")
NO_DEVICE = tuple(f for f in FAMILIES if f.target == "none")
# Families an inactive (terminated) contact calls about: the social-engineering pretexts.
PRETEXTS = (BY_KEY["password reset"], BY_KEY["mfa enrolment"], BY_KEY["vpn won't connect"])

VAGUE_RESOLUTIONS = ("fixed it", "rebooted", "done", "resolved", "Fixed.", "rebooted and it worked",
                     "sorted", "user says ok now", "Issue resolved", "done - closing")

RESOLUTION_CODES = ("Resolved - Remote Fix", "Resolved - Onsite", "Hardware Replaced", "User Training",
                    "Vendor Fix", "Configuration Change", "Patch/Update Applied", "No Fault Found")

CHANGES = (
    ("Firewall firmware upgrade", "Network", "Upgrade FortiGate to the current patch release."),
    ("Replace core switch", "Network", "Swap the failing core switch for the replacement unit."),
    ("Exchange Online transport rule change", "Email", "Add a disclaimer and external-sender tag rule."),
    ("Conditional Access policy update", "Security", "Require compliant devices for M365 access."),
    ("Server OS in-place upgrade", "Server", "Upgrade the file server to Windows Server 2022."),
    ("POS terminal update", "Software", "Roll the POS client to the vendor's new build."),
)

EMERGENCY_CHANGES = (
    ("Emergency change: block malicious sender domain", "Security"),
    ("Emergency change: restore firewall rule for VPN", "Network"),
    ("Emergency change: disable compromised account and revoke sessions", "Security"),
    ("Emergency change: roll back failed cumulative update on file server", "Server"),
    ("Emergency change: fail over to backup ISP", "Network"),
)

PROJECTS = ("Windows 11 upgrade rollout", "Migrate file server to SharePoint", "Firewall replacement",
            "Wi-Fi refresh for main office", "M365 tenant security baseline", "Backup platform migration")

PLAN_SECTIONS = ("Scope", "Rollback plan", "Testing plan", "Maintenance window")
