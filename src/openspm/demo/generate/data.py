"""Static catalogues the demo company is drawn from: names, regions, countries, products."""

from __future__ import annotations

from dataclasses import dataclass

FIRST_NAMES = (
    "Ada", "Alan", "Alice", "Amara", "Ana", "Andrei", "Arjun", "Ben", "Bianca", "Carlos",
    "Chen", "Chloe", "Daniel", "Diego", "Elena", "Emma", "Erik", "Fatima", "Felix", "Grace",
    "Hannah", "Hiro", "Ines", "Isaac", "Jack", "Jana", "Javier", "Julia", "Kai", "Kenji",
    "Laura", "Leo", "Lina", "Lucas", "Maya", "Mei", "Mia", "Nadia", "Noah", "Nora", "Olivia",
    "Omar", "Oscar", "Priya", "Rafael", "Ravi", "Rosa", "Sam", "Sara", "Sofia", "Tariq",
    "Theo", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe", "Marta", "Liam",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Adeyemi", "Alvarez", "Anderson", "Bauer", "Bennett", "Bianchi", "Brooks",
    "Carter", "Chen", "Costa", "Dubois", "Eriksen", "Evans", "Fischer", "Garcia", "Gupta",
    "Hansen", "Hayes", "Ito", "Jansen", "Johnson", "Kaur", "Keller", "Kim", "Kowalski",
    "Larsen", "Lee", "Lopez", "Martin", "Meyer", "Moreau", "Murphy", "Nakamura", "Nguyen",
    "Novak", "Okafor", "Olsen", "Patel", "Perez", "Rossi", "Sato", "Schmidt", "Silva",
    "Singh", "Smith", "Suzuki", "Tanaka", "Taylor", "Thomas", "Torres", "Van Dijk", "Wagner",
    "Walker", "Wang", "Weber", "Williams", "Wilson", "Wright", "Yamamoto", "Zhang", "Rivera",
)  # fmt: skip


@dataclass(frozen=True)
class Country:
    code: str
    region: str  # a Region.code
    weight: int  # share of accounts within its region
    currency: str  # what deals with its accounts are billed in
    postal_format: str  # 9 = a digit, A = a letter, anything else is kept


@dataclass(frozen=True)
class Region:
    code: str
    name: str  # the value of Account.region and Territory.region
    weight: int  # share of accounts and of managers
    currencies: tuple[str, ...]  # the director's, then the managers' in turn (with their teams)


REGIONS = (
    Region("NA", "North America", 50, ("USD",)),
    Region("EMEA", "EMEA", 32, ("GBP", "EUR")),  # London, then the continent
    Region("APAC", "APAC", 18, ("USD",)),
)
REGION_BY_CODE = {r.code: r for r in REGIONS}

COUNTRIES = (
    Country("US", "NA", 85, "USD", "99999"),
    Country("CA", "NA", 15, "USD", "A9A 9A9"),
    Country("GB", "EMEA", 26, "GBP", "AA9A 9AA"),
    Country("IE", "EMEA", 5, "EUR", "A99 A9A9"),
    Country("DE", "EMEA", 20, "EUR", "99999"),
    Country("AT", "EMEA", 4, "EUR", "9999"),
    Country("CH", "EMEA", 5, "EUR", "9999"),
    Country("FR", "EMEA", 14, "EUR", "99999"),
    Country("BE", "EMEA", 4, "EUR", "9999"),
    Country("LU", "EMEA", 1, "EUR", "9999"),
    Country("ES", "EMEA", 7, "EUR", "99999"),
    Country("IT", "EMEA", 7, "EUR", "99999"),
    Country("PT", "EMEA", 2, "EUR", "9999-999"),
    Country("NL", "EMEA", 5, "EUR", "9999 AA"),
    Country("SE", "EMEA", 3, "EUR", "999 99"),
    Country("DK", "EMEA", 2, "EUR", "9999"),
    Country("FI", "EMEA", 2, "EUR", "99999"),
    Country("NO", "EMEA", 2, "EUR", "9999"),
    Country("AU", "APAC", 32, "USD", "9999"),
    Country("NZ", "APAC", 8, "USD", "9999"),
    Country("JP", "APAC", 22, "USD", "999-9999"),
    Country("SG", "APAC", 12, "USD", "999999"),
    Country("MY", "APAC", 4, "USD", "99999"),
    Country("TH", "APAC", 3, "USD", "99999"),
    Country("ID", "APAC", 2, "USD", "99999"),
    Country("PH", "APAC", 1, "USD", "9999"),
    Country("IN", "APAC", 16, "USD", "999999"),
)

# (industry, weight)
INDUSTRIES = (
    ("Technology", 22),
    ("Financial Services", 16),
    ("Healthcare", 12),
    ("Manufacturing", 12),
    ("Retail", 10),
    ("Professional Services", 8),
    ("Education", 6),
    ("Public Sector", 5),
    ("Media", 5),
    ("Energy", 4),
)
# (employee band, share of accounts, relative deal frequency, seat range)
BANDS = (
    ("smb", 45, 3, (2, 15)),
    ("mid", 30, 4, (10, 60)),
    ("enterprise", 18, 5, (25, 150)),
    ("strategic", 7, 6, (60, 400)),
)

NAME_HEADS = (
    "Apex", "Aurora", "Blue", "Bright", "Cedar", "Clear", "Copper", "Crest", "Delta", "Echo",
    "Ember", "First", "Golden", "Granite", "Harbor", "Iron", "Juniper", "Keystone", "Lumen",
    "Maple", "Meridian", "Nimbus", "North", "Oak", "Orbit", "Pacific", "Pine", "Prime",
    "Quartz", "Red", "River", "Sage", "Silver", "Summit", "Swift", "Terra", "Tidal", "Union",
    "Vector", "Willow",
)  # fmt: skip
NAME_TAILS = (
    "Analytics", "Bank", "Capital", "Dynamics", "Energy", "Foods", "Group", "Health",
    "Holdings", "Industries", "Insurance", "Labs", "Logistics", "Media", "Medical",
    "Networks", "Partners", "Retail", "Robotics", "Software", "Systems", "Works",
)  # fmt: skip


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    unit_price: int  # whole US dollars per unit (a seat a year, or a pack)
    per_seat: bool


@dataclass(frozen=True)
class FamilySpec:
    code: str
    name: str
    weight: int  # share of transactions
    cost_percent: int  # cost of sale as a percentage of the amount
    products: tuple[ProductSpec, ...]


FAMILIES = (
    FamilySpec("CORE", "Core Platform", 34, 12, (
        ProductSpec("CORE-STARTER", "Core Starter", 120, per_seat=True),
        ProductSpec("CORE-PRO", "Core Professional", 360, per_seat=True),
        ProductSpec("CORE-ENT", "Core Enterprise", 720, per_seat=True),
    )),
    FamilySpec("ANALYTICS", "Analytics", 18, 18, (
        ProductSpec("AN-INSIGHTS", "Insights", 180, per_seat=True),
        ProductSpec("AN-FORECAST", "Forecasting", 240, per_seat=True),
        ProductSpec("AN-WAREHOUSE", "Data Warehouse Connector", 6000, per_seat=False),
    )),
    FamilySpec("SECURITY", "Security & Compliance", 12, 15, (
        ProductSpec("SEC-SSO", "SSO & Audit", 60, per_seat=True),
        ProductSpec("SEC-RESIDENCY", "Data Residency", 12000, per_seat=False),
        ProductSpec("SEC-ENCRYPT", "Advanced Encryption", 90, per_seat=True),
    )),
    FamilySpec("INTEGRATIONS", "Integrations", 12, 10, (
        ProductSpec("INT-CRM", "CRM Connector", 4000, per_seat=False),
        ProductSpec("INT-ERP", "ERP Connector", 9000, per_seat=False),
        ProductSpec("INT-API", "API Pack", 2500, per_seat=False),
    )),
    FamilySpec("SERVICES", "Professional Services", 14, 55, (
        ProductSpec("PS-IMPL", "Implementation", 15000, per_seat=False),
        ProductSpec("PS-TRAIN", "Training", 3000, per_seat=False),
        ProductSpec("PS-CUSTOM", "Custom Development", 25000, per_seat=False),
    )),
    FamilySpec("SUPPORT", "Support & Success", 10, 35, (
        ProductSpec("SUP-PREMIUM", "Premium Support", 48, per_seat=True),
        ProductSpec("SUP-SUCCESS", "Customer Success Plan", 8000, per_seat=False),
    )),
)  # fmt: skip

# Value of one unit of each currency in US cents, for pricing and quotas (not FX history).
LIST_PRICE_FACTOR = {"USD": 100, "EUR": 92, "GBP": 79}
CURRENCY_NAMES = {"USD": "US dollar", "EUR": "Euro", "GBP": "Pound sterling"}
# FX random walks start here, in millionths of a US dollar per unit.
FX_START_MICROS = {"EUR": 1_040_000, "GBP": 1_250_000}

# Known, documented demo logins: (role label, username, role, password). Demo only.
LOGINS = (
    ("administrator", "admin", "administrator", "demo-admin-2026"),
    ("comp admin", "compadmin", "comp_admin", "demo-compadmin-2026"),
    ("finance", "finance", "finance", "demo-finance-2026"),
    ("manager (VP of sales)", "vp", "manager", "demo-vp-2026"),
    ("manager", "manager", "manager", "demo-manager-2026"),
    ("rep", "rep", "rep", "demo-rep-2026"),
    ("referral partner", "partner", "referral_partner", "demo-partner-2026"),
)
