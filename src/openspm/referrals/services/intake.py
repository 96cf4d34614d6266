"""Link clicks and referral submissions: attribution, de-duplication, fraud checks, routing.

Public traffic is identified only by hashes: of the visitor cookie set by the referral link
and of the client IP (keyed with SECRET_KEY, so a hash cannot be reversed by brute force over
the IPv4 space without the key). Raw IPs are never stored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openspm.referrals.errors import ProgramClosed
from openspm.referrals.models import Click, FraudSignal, Program, Referral, Referrer
from openspm.referrals.services import campaigns, ratelimit, routing

# Hard limits (HTTP 429), per fixed window.
SUBMISSIONS_PER_IP_PER_HOUR = 20
SUBMISSIONS_PER_REFERRER_PER_DAY = 50
CLICKS_PER_IP_PER_MINUTE = 120
# Soft limits: past these a referral is accepted but flagged for review.
VELOCITY_PER_REFERRER_PER_DAY = 5
VELOCITY_PER_IP_PER_DAY = 3


def fingerprint(value: str) -> str:
    """A keyed SHA-256 of an identifier (IP, visitor id, payout details)."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


@cache
def _domains(name: str) -> frozenset[str]:
    text = resources.files("openspm.referrals").joinpath(name).read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def disposable_domains() -> frozenset[str]:
    return _domains("disposable_domains.txt")


def generic_domains() -> frozenset[str]:
    return _domains("generic_domains.txt")


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


@transaction.atomic
def record_click(*, code: str, visitor_id: str, ip: str) -> Click | None:
    """A visit through /r/c/<code>; None for an unknown code (the link still lands)."""
    ratelimit.hit(
        key=f"click-ip:{fingerprint(ip)}", limit=CLICKS_PER_IP_PER_MINUTE, window_seconds=60
    )
    referrer = Referrer.objects.filter(code=code, program__is_active=True).first()
    if referrer is None:
        return None
    return Click.objects.create(
        referrer=referrer,
        visitor_hash=fingerprint(visitor_id),
        ip_hash=fingerprint(ip),
        clicked_at=timezone.now(),
    )


@dataclass(frozen=True)
class Submission:
    """A referee as the form or the API gives it."""

    referee_name: str
    referee_email: str
    referee_company: str = ""
    referee_address: str = ""
    referee_country: str = ""
    referee_postal_code: str = ""
    payment_details: str = ""


def attribute(
    *, program: Program, code: str, visitor_id: str, now: datetime
) -> tuple[Referrer | None, Click | None]:
    """Which referrer gets the credit: the visitor's clicks in the window (first or last touch,
    as the program says), else a code typed into the form."""
    if visitor_id:
        clicks = Click.objects.filter(
            visitor_hash=fingerprint(visitor_id),
            referrer__program=program,
            clicked_at__gte=now - timedelta(days=program.attribution_window_days),
        ).select_related("referrer")
        order = (
            "clicked_at"
            if program.attribution_model == Program.Attribution.FIRST_TOUCH
            else "-clicked_at"
        )
        click = clicks.order_by(order, "pk" if order == "clicked_at" else "-pk").first()
        if click is not None:
            return click.referrer, click
    if code:
        referrer = Referrer.objects.filter(code=code, program=program).first()
        if referrer is not None:
            return referrer, None
    return None, None


def fraud_signals(
    *, program: Program, referrer: Referrer, sub: Submission, ip_hash: str, now: datetime
) -> list[tuple[str, str]]:
    """Every reason to hold this referral for review, as (kind, detail)."""
    from openspm.sales.models import Account

    found: list[tuple[str, str]] = []
    email = sub.referee_email.strip().lower()
    domain = email_domain(email)
    pay = fingerprint(_normal(sub.payment_details)) if sub.payment_details.strip() else ""
    if email == referrer.email:
        found.append((FraudSignal.Kind.SELF_REFERRAL, "Same email as the referrer"))
    elif domain == email_domain(referrer.email) and domain not in generic_domains():
        found.append(
            (FraudSignal.Kind.SELF_REFERRAL, f"Same email domain as the referrer ({domain})")
        )
    if _normal(sub.referee_name) == _normal(referrer.name):
        found.append((FraudSignal.Kind.SELF_REFERRAL, "Same name as the referrer"))
    if sub.referee_address.strip() and _normal(sub.referee_address) == _normal(referrer.address):
        found.append((FraudSignal.Kind.SELF_REFERRAL, "Same address as the referrer"))
    if pay and pay == referrer.payment_fingerprint:
        found.append((FraudSignal.Kind.SELF_REFERRAL, "Same payment details as the referrer"))
    if domain in disposable_domains():
        found.append((FraudSignal.Kind.DISPOSABLE_EMAIL, f"Disposable email domain {domain}"))
    open_dupes = (
        Referral.objects.filter(program=program)
        .exclude(status=Referral.Status.CANCELLED)
        .exclude(stage=Referral.Stage.LOST)
    )
    dupe = Q(referee_email=email)
    if sub.referee_company.strip():
        dupe |= Q(referee_company__iexact=sub.referee_company.strip())
    if domain not in generic_domains():
        dupe |= Q(referee_email__iendswith="@" + domain)
    if open_dupes.filter(dupe).exists():
        found.append((FraudSignal.Kind.DUPLICATE, "An open referral exists for this referee"))
    company = sub.referee_company.strip()
    allow_customers = program.eligibility.get("allow_existing_customers", False)
    if company and not allow_customers and Account.objects.filter(name__iexact=company).exists():
        found.append((FraudSignal.Kind.EXISTING_CUSTOMER, f"{company} is already an account"))
    countries = [c.upper() for c in program.eligibility.get("countries", [])]
    if countries and sub.referee_country.upper() not in countries:
        found.append(
            (
                FraudSignal.Kind.INELIGIBLE,
                f"Country {sub.referee_country or '—'} not in the program",
            )
        )
    day_ago = now - timedelta(days=1)
    recent = Referral.objects.filter(submitted_at__gte=day_ago)
    if recent.filter(referrer=referrer).count() >= VELOCITY_PER_REFERRER_PER_DAY:
        found.append(
            (FraudSignal.Kind.REFERRER_VELOCITY, "Many referrals from this referrer today")
        )
    if ip_hash and recent.filter(ip_hash=ip_hash).count() >= VELOCITY_PER_IP_PER_DAY:
        found.append((FraudSignal.Kind.IP_VELOCITY, "Many referrals from this IP today"))
    return found


def submit_referral(
    *,
    program: Program,
    sub: Submission,
    ip: str,
    code: str = "",
    visitor_id: str = "",
    referrer: Referrer | None = None,
) -> Referral:
    """Record a referral: rate limits first (they count even when the write fails), then
    attribution, fraud checks, de-duplication against accounts and routing, in one transaction.
    A referral with any signal is `flagged` and waits for review; otherwise `pending`."""
    if not program.is_active:
        raise ProgramClosed("This program is not accepting referrals.")
    ip_hash = fingerprint(ip) if ip else ""
    if ip_hash:
        ratelimit.hit(
            key=f"submit-ip:{ip_hash}", limit=SUBMISSIONS_PER_IP_PER_HOUR, window_seconds=3600
        )
    now = timezone.now()
    click = None
    if referrer is None:
        referrer, click = attribute(program=program, code=code, visitor_id=visitor_id, now=now)
    if referrer is None:
        from openspm.core.errors import InvalidInput

        raise InvalidInput("A valid referral code is required.", detail={"code": ["unknown code"]})
    ratelimit.hit(
        key=f"submit-referrer:{referrer.pk}",
        limit=SUBMISSIONS_PER_REFERRER_PER_DAY,
        window_seconds=86400,
    )
    return _create_referral(
        program=program, referrer=referrer, click=click, sub=sub, ip_hash=ip_hash, now=now
    )


@transaction.atomic
def _create_referral(
    *,
    program: Program,
    referrer: Referrer,
    click: Click | None,
    sub: Submission,
    ip_hash: str,
    now: datetime,
) -> Referral:
    from openspm.sales.models import Account

    signals = fraud_signals(program=program, referrer=referrer, sub=sub, ip_hash=ip_hash, now=now)
    referral = Referral(
        program=program,
        referrer=referrer,
        click=click,
        referee_name=sub.referee_name.strip(),
        referee_email=sub.referee_email.strip().lower(),
        referee_company=sub.referee_company.strip(),
        referee_address=sub.referee_address.strip(),
        referee_country=sub.referee_country.strip().upper(),
        referee_postal_code=sub.referee_postal_code.strip(),
        payment_fingerprint=fingerprint(_normal(sub.payment_details))
        if sub.payment_details.strip()
        else "",
        ip_hash=ip_hash,
        status=Referral.Status.FLAGGED if signals else Referral.Status.PENDING,
        submitted_at=now,
    )
    if referral.referee_company:
        referral.account = Account.objects.filter(name__iexact=referral.referee_company).first()
    referral.owner = routing.route_owner(referral=referral, on=now.date())
    referral.full_clean()
    referral.save()
    FraudSignal.objects.bulk_create(
        FraudSignal(referral=referral, kind=kind, detail=detail[:300]) for kind, detail in signals
    )
    campaigns.queue_message(kind="milestone", referrer=referrer, referral=referral)
    return referral
