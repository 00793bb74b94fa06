"""Vocabulary for people, companies and hardware in the generated MSP world."""

from __future__ import annotations

import random

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles",
    "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Donald",
    "Ashley", "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle", "Kevin",
    "Carol", "Brian", "Amanda", "George", "Melissa", "Timothy", "Deborah", "Ronald", "Stephanie",
    "Jason", "Rebecca", "Ryan", "Laura", "Jacob", "Sharon", "Gary", "Cynthia", "Nicholas", "Kathleen",
    "Eric", "Amy", "Jonathan", "Angela", "Priya", "Wei", "Carlos", "Fatima", "Olga", "Raj", "Yuki",
    "Ahmed", "Sofia", "Mateo", "Chloe", "Liam", "Aisha", "Noah", "Grace", "Omar", "Hannah"
)

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen",
    "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
    "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards",
    "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez",
    "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox",
    "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "Patel", "Bennett", "Gray", "Mendoza",
    "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Okafor", "Kowalski", "Schmidt",
    "Novak", "Haddad", "Tanaka", "Singh"
)

COMPANY_WORDS = (
    "Acme", "Brightwater", "Cedar", "Ridge", "Harbor", "Summit", "Keystone", "Pinnacle", "Riverside",
    "Oakmont", "Bluewave", "Granite", "Ironwood", "Lakeshore", "Maple", "Northstar", "Redwood",
    "Silverline", "Stonebridge", "Sunrise", "Timberline", "Westfield", "Evergreen", "Crescent",
    "Falcon", "Horizon", "Liberty", "Meridian", "Orchard", "Pioneer", "Sterling", "Willow", "Aspen",
    "Beacon", "Copper", "Driftwood", "Emerald", "Fairview", "Gateway", "Highland", "Juniper",
    "Kingsley", "Lighthouse", "Magnolia", "Oakridge", "Prairie", "Quarry", "Ravenwood", "Sagebrush",
    "Tidewater", "Union", "Vantage", "Windward", "Yellowstone", "Zenith", "Alder", "Birch", "Canyon",
    "Dunmore", "Elm"
)

COMPANY_KINDS = (
    "Dental", "Law Group", "Logistics", "Accounting", "Construction", "Veterinary Clinic", "Realty",
    "Family Medicine", "Manufacturing", "Insurance Agency", "Architects", "Credit Union", "Engineering",
    "Marketing", "Pharmacy", "Auto Group", "Foods", "Hotel", "Orthodontics", "Wealth Partners",
    "Physical Therapy", "Plumbing & Heating", "Title Company", "Nonprofit Foundation", "Brewing",
    "Chiropractic", "Landscaping", "Print Shop", "Surveying", "Staffing", "Property Management",
    "Eye Care", "Animal Hospital", "Electric", "Roofing", "Supply Co", "Media", "Consulting",
    "Home Health", "Academy",
)

CITIES = (
    "Springfield", "Riverton", "Fairfield", "Greenville", "Madison", "Clinton", "Georgetown", "Salem",
    "Franklin", "Bristol", "Dover", "Hudson", "Kingston", "Milton", "Newport", "Oxford", "Auburn",
    "Chester", "Dayton", "Lexington",
)

LEGAL_SUFFIXES = (", Inc.", " LLC", ", LLP", " Ltd.", " Corporation", " Co.", ", P.C.", " Group, Inc.")

# (manufacturer, model, serial style, chassis) per machine kind; VMs are the cloned-VM candidates.
HARDWARE = {
    "workstation": (
        ("Dell Inc.", "OptiPlex 7010", "dell"), ("Dell Inc.", "OptiPlex 5000", "dell"),
        ("HP", "HP EliteDesk 800 G6 SFF", "hp"), ("HP", "HP ProDesk 400 G7", "hp"),
        ("LENOVO", "ThinkCentre M70q", "lenovo"), ("LENOVO", "ThinkCentre M920s", "lenovo"),
        ("System manufacturer", "System Product Name", "whitebox"),
    ),
    "laptop": (
        ("Dell Inc.", "Latitude 5440", "dell"), ("Dell Inc.", "Latitude 7420", "dell"),
        ("HP", "HP EliteBook 840 G8", "hp"), ("HP", "HP ProBook 450 G9", "hp"),
        ("LENOVO", "ThinkPad T14 Gen 3", "lenovo"), ("LENOVO", "ThinkPad X1 Carbon Gen 10", "lenovo"),
        ("Microsoft Corporation", "Surface Laptop 5", "surface"),
    ),
    "server": (
        ("Dell Inc.", "PowerEdge R650", "dell"), ("HPE", "ProLiant DL380 Gen10", "hpe"),
        ("VMware, Inc.", "VMware Virtual Platform", "vmware"),
        ("Microsoft Corporation", "Virtual Machine", "hyperv"),
    ),
}

OUIS = ("00:1A:2B", "3C:52:82", "F8:B4:6A", "54:E1:AD", "98:FA:9B", "00:50:56", "00:15:5D", "D4:81:D7",
        "8C:EC:4B", "B0:7B:25", "E4:54:E8", "F4:8E:38")

OS_NAMES = {
    "workstation": ("Windows 11 Professional Edition", "Windows 10 Professional Edition",
                    "Windows 11 Enterprise Edition"),
    "laptop": ("Windows 11 Professional Edition", "Windows 10 Professional Edition"),
    "server": ("Windows Server 2022 Standard Edition", "Windows Server 2019 Standard Edition",
               "Windows Server 2016 Standard Edition"),
}

SERVER_ROLES = ("DC", "FS", "APP", "SQL", "RDS", "PRINT", "BKP", "HV")

ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def person(rng: random.Random) -> tuple[str, str]:
    """A random (first, last) name."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def serial_for(rng: random.Random, style: str) -> str:
    """A realistic serial number for a hardware serial style."""
    def chars(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    digits = "0123456789"
    if style == "vmware":
        groups = [" ".join(f"{rng.randrange(256):02x}" for _ in range(8)) for _ in range(2)]
        return f"VMware-{groups[0]}-{groups[1]}"
    if style == "hyperv":
        return "-".join(chars(digits, 4) for _ in range(7))
    # White-box boards ship without a serial; "WB..." is the builder's sticker (the real one).
    prefix, alphabet, n = {"dell": ("", ALNUM, 7), "hp": ("5CG", digits, 4), "hpe": ("CZ2", digits, 4),
                           "lenovo": ("PF", ALNUM, 6), "surface": ("0", digits, 11)}.get(style, ("WB", ALNUM, 8))
    suffix = chars(ALNUM, 3) if style in ("hp", "hpe") else ""
    return prefix + chars(alphabet, n) + suffix


def mac(rng: random.Random) -> str:
    """A MAC address in CW's upper-case colon form."""
    tail = ":".join(f"{rng.randrange(256):02X}" for _ in range(3))
    return f"{rng.choice(OUIS)}:{tail}"


def ipv4(rng: random.Random, subnet: int) -> str:
    """A private IPv4 address in the company's subnet."""
    return f"10.{subnet // 256 % 256}.{subnet % 256}.{rng.randrange(20, 250)}"


def uuid_from(rng: random.Random) -> str:
    """A UUID-shaped string drawn from the seeded generator (uuid4 would use the OS entropy)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"
