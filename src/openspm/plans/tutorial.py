"""The document a new plan starts from: small, valid, and commented so it teaches the language."""

STARTER_PLAN = """\
# A plan document: see docs/plans.md for every feature.
schema_version: 1
id: {code}
version: 1
name: {name}
currency: USD
measures:
  bookings:
    value: amount
    filter: status not in ['cancelled', 'refunded']
components:
  - id: commission
    kind: commission
    measure: bookings
    tiering: marginal
    tier_basis: attainment
    accumulate: quarter_to_date
    tiers:
      - {{from: 0, to: 1, rate: 0.05}}
      - {{from: 1, rate: 0.08}}
"""
