"""The referral router: referrals and rewards (as the viewer may see them), the public
submission endpoint and the signed CRM webhook."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from openspm.referrals import schemas, selectors
from openspm.referrals.services import funnel, intake
from openspm.referrals.views_public import client_ip

router = Router(tags=["referrals"])

WEBHOOK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["id", "type"],
                    "properties": {
                        "id": {"type": "string", "description": "Unique event id"},
                        "type": {"type": "string", "enum": sorted(funnel.EVENTS)},
                        "referral_id": {"type": "integer"},
                        "lead_id": {"type": "string"},
                        "opportunity_id": {"type": "string"},
                        "amount": {"type": "string", "description": "Decimal"},
                        "first_year_amount": {"type": "string", "description": "Decimal"},
                        "transaction_external_id": {"type": "string"},
                        "account": {
                            "type": "object",
                            "properties": {
                                k: {"type": "string"}
                                for k in ("external_id", "name", "country", "region", "postal_code")
                            },
                        },
                    },
                }
            }
        },
    },
    "parameters": [
        {
            "name": "X-OpenSPM-Timestamp",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": "Unix seconds; rejected beyond five minutes of the server's clock",
        },
        {
            "name": "X-OpenSPM-Signature",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": "sha256=<hex HMAC-SHA256 of '<timestamp>.<raw body>'>",
        },
    ],
}


@router.get("/referrals", response=list[schemas.ReferralOut])
@paginate(LimitOffsetPagination)
def list_referrals(request: HttpRequest, status: str = "", stage: str = "") -> object:
    return selectors.list_referrals(viewer=request.user, status=status, stage=stage)


@router.get("/referrals/{referral_id}", response=schemas.ReferralOut)
def get_referral(request: HttpRequest, referral_id: int) -> object:
    return selectors.get_referral(viewer=request.user, referral_id=referral_id)


@router.get("/rewards", response=list[schemas.RewardOut])
@paginate(LimitOffsetPagination)
def list_rewards(request: HttpRequest, status: str = "") -> object:
    return selectors.list_rewards(viewer=request.user, status=status)


@router.post("/submissions", response={201: schemas.SubmissionOut}, auth=None)
def submit(request: HttpRequest, payload: schemas.SubmissionIn) -> tuple[int, object]:
    """Public and rate-limited: the landing page's form, for integrations."""
    program = selectors.get_public_program(slug=payload.program)
    referral = intake.submit_referral(
        program=program,
        ip=client_ip(request),
        code=payload.code,
        sub=intake.Submission(
            referee_name=payload.referee_name,
            referee_email=payload.referee_email,
            referee_company=payload.referee_company,
            referee_address=payload.referee_address,
            referee_country=payload.referee_country,
            referee_postal_code=payload.referee_postal_code,
        ),
    )
    return 201, referral


@router.post(
    "/webhooks/crm", response={202: schemas.WebhookOut}, auth=None, openapi_extra=WEBHOOK_BODY
)
def crm_webhook(request: HttpRequest) -> tuple[int, object]:
    """Lead and opportunity updates from the CRM, signed with the shared secret
    (OPENSPM_REFERRAL_WEBHOOK_SECRET). A verified event naming a known referral is stored and
    answered 202; the worker then applies each referral's events in order, once. A replay is
    409, a bad signature or stale timestamp 401, an unknown referral 404, a malformed event
    422; none of them stores anything."""
    return 202, funnel.handle_webhook(
        timestamp=request.headers.get("X-OpenSPM-Timestamp", ""),
        signature=request.headers.get("X-OpenSPM-Signature", ""),
        body=request.body,
    )
