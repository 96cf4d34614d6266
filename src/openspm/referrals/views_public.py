"""Public referral pages: the program landing page, referral links and unsubscribe. No login;
the only tracking is the first-party referral cookie (code and a random visitor id)."""

from __future__ import annotations

import secrets

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openspm.core.errors import NotFound
from openspm.referrals import selectors
from openspm.referrals.errors import SpamRejected
from openspm.referrals.forms import SubmissionForm
from openspm.referrals.services import campaigns, intake

COOKIE = "openspm_ref"
COOKIE_SALT = "openspm.referrals.cookie"
STARTED_SALT = "openspm.referrals.started"
MIN_FILL_SECONDS = 3
MAX_FILL_SECONDS = 86400


def client_ip(request: HttpRequest) -> str:
    """The peer address. Behind a reverse proxy, have it set REMOTE_ADDR (we do not trust
    X-Forwarded-For, which any client can forge)."""
    return str(request.META.get("REMOTE_ADDR", ""))


def read_cookie(request: HttpRequest) -> tuple[str, str]:
    """(code, visitor id) from the referral cookie, or empty strings."""
    value = request.get_signed_cookie(COOKIE, default="", salt=COOKIE_SALT)
    code, _, visitor = str(value).partition(":")
    return code, visitor


def _started_token() -> str:
    return signing.dumps(int(timezone.now().timestamp()), salt=STARTED_SALT)


def _check_not_bot(form: SubmissionForm) -> None:
    if form.cleaned_data["website"]:
        raise SpamRejected("This submission was rejected.")
    try:
        started = int(
            signing.loads(form.cleaned_data["started"], salt=STARTED_SALT, max_age=MAX_FILL_SECONDS)
        )
    except (signing.BadSignature, TypeError, ValueError):
        raise SpamRejected("The form expired; reload the page and try again.") from None
    if timezone.now().timestamp() - started < MIN_FILL_SECONDS:
        raise SpamRejected("This submission was rejected.")


@require_http_methods(["GET", "POST"])
def landing(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.get_public_program(slug=slug)
    cookie_code, visitor = read_cookie(request)
    if request.method == "POST":
        form = SubmissionForm(request.POST)
        if form.is_valid():
            _check_not_bot(form)
            data = form.cleaned_data
            referral = intake.submit_referral(
                program=program,
                sub=intake.Submission(
                    referee_name=data["referee_name"],
                    referee_email=data["referee_email"],
                    referee_company=data["referee_company"],
                    referee_address=data["referee_address"],
                    referee_country=data["referee_country"],
                    referee_postal_code=data["referee_postal_code"],
                ),
                ip=client_ip(request),
                code=data["code"] or cookie_code,
                visitor_id=visitor,
            )
            return render(
                request, "referrals/public/thanks.html", {"program": program, "referral": referral}
            )
    else:
        form = SubmissionForm(initial={"code": request.GET.get("code", cookie_code)})
    return render(
        request,
        "referrals/public/landing.html",
        {"program": program, "form": form, "started": _started_token()},
    )


def click(request: HttpRequest, code: str) -> HttpResponse:
    referrer = selectors.get_referrer_by_code(code=code)
    if referrer is None or not referrer.program.is_active:
        raise NotFound("No such referral link.")
    _, visitor = read_cookie(request)
    visitor = visitor or secrets.token_urlsafe(16)
    intake.record_click(code=code, visitor_id=visitor, ip=client_ip(request))
    response = redirect("referrals_public:landing", slug=referrer.program.slug)
    response.set_signed_cookie(
        COOKIE,
        f"{code}:{visitor}",
        salt=COOKIE_SALT,
        max_age=referrer.program.attribution_window_days * 86400,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST opts out (link scanners fetch GETs)."""
    done = request.method == "POST"
    referrer = campaigns.unsubscribe(token=token) if done else None
    if done and referrer is None:
        raise NotFound("This unsubscribe link is not valid.")
    return render(request, "referrals/public/unsubscribe.html", {"done": done})
