"""Pages: statements (list, one payee's statement, its PDF, line drill-down, acknowledgement)
and the rep's "My pay" page with the what-if estimator."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_POST

from openspm.comp.selectors import my_pay as my_pay_selectors
from openspm.comp.selectors import statements as selectors
from openspm.comp.selectors import trace as trace_selectors
from openspm.comp.services import statements as services
from openspm.core.access import require_internal
from openspm.org import selectors as org_selectors
from openspm.sales.models import Currency, ProductFamily, Transaction

# The dispute form belongs to the disputes pages; until its URL exists, the plain path.
DISPUTE_FALLBACK = "/comp/disputes/new/"


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted  # type: ignore[union-attr]


def dispute_url() -> str:
    try:
        return reverse("comp:dispute_new")
    except NoReverseMatch:
        return DISPUTE_FALLBACK


@login_required
@require_GET
def statement_list(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    listing = selectors.list_statements(
        viewer=request.user, period_key=request.GET.get("period", "")
    )
    return render(
        request,
        "comp/statements/statement_list.html",
        {"listing": listing, "statements": listing.rows},
    )


@login_required
@require_GET
def statement_detail(request: HttpRequest, person_id: int, period_key: str) -> HttpResponse:
    require_internal(request.user)
    statement = selectors.get_statement(
        viewer=request.user, person_id=person_id, period_key=period_key
    )
    return render(
        request,
        "comp/statements/statement.html",
        {"statement": statement, "dispute_url": dispute_url()},
    )


@login_required
@require_GET
def statement_pdf(request: HttpRequest, person_id: int, period_key: str) -> HttpResponse:
    require_internal(request.user)
    statement = selectors.get_statement(
        viewer=request.user, person_id=person_id, period_key=period_key
    )
    html = render_to_string(
        "comp/statements/statement_pdf.html",
        {"statement": statement, "css": services.statement_css(), "pdf": True},
        request=request,
    )
    response = HttpResponse(services.render_pdf(html=html), content_type="application/pdf")
    name = f"statement-{statement.person.external_id}-{statement.period.key}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_POST
def statement_acknowledge(request: HttpRequest, person_id: int, period_key: str) -> HttpResponse:
    require_internal(request.user)
    services.acknowledge_statement(actor=request.user, person_id=person_id, period_key=period_key)
    messages.success(request, "Statement acknowledged.")
    return redirect("comp:statement", person_id=person_id, period_key=period_key)


@login_required
@require_GET
def statement_line(request: HttpRequest, line_id: int) -> HttpResponse:
    require_internal(request.user)
    trace = trace_selectors.get_line_trace(viewer=request.user, line_id=line_id)
    context = {"trace": trace, "line": trace.line, "dispute_url": dispute_url()}
    template = "comp/statements/_line.html" if _is_partial(request) else "comp/statements/line.html"
    return render(request, template, context)


class WhatIfForm(forms.Form):
    amount = forms.DecimalField(max_digits=15, decimal_places=2, min_value=Decimal("0.01"))
    currency = forms.ChoiceField(choices=())
    booked_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    product_family = forms.ChoiceField(choices=(), required=False)
    deal_type = forms.ChoiceField(choices=Transaction.Type.choices, initial="new")

    def __init__(self, *args: object, currency: str = "USD", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        codes = list(Currency.objects.order_by("code").values_list("code", flat=True))
        self.fields["currency"].choices = [(c, c) for c in codes or [currency]]  # type: ignore[attr-defined]
        self.fields["currency"].initial = currency
        families = ProductFamily.objects.order_by("code").values_list("code", "name")
        self.fields["product_family"].choices = [("", "Any"), *families]  # type: ignore[attr-defined]
        self.fields["booked_on"].initial = org_selectors.today()


def _my_pay_context(request: HttpRequest, form: WhatIfForm | None = None) -> dict[str, object]:
    pay = my_pay_selectors.get_my_pay(viewer=request.user)
    currency = pay.person.currency if pay.person else "USD"
    return {"pay": pay, "form": form or WhatIfForm(currency=currency), "estimate": None}


@login_required
@require_GET
def my_pay(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    return render(request, "comp/statements/my_pay.html", _my_pay_context(request))


@login_required
@require_GET
def what_if(request: HttpRequest) -> HttpResponse:
    """The estimator's answer: the HTMX partial, or the My pay page with it."""
    require_internal(request.user)
    person = org_selectors.get_viewer_person(viewer=request.user)
    form = WhatIfForm(request.GET or None, currency=person.currency if person else "USD")
    estimate = None
    if person is not None and form.is_valid():
        data = form.cleaned_data
        estimate = services.estimate_deal(
            viewer=request.user,
            amount=data["amount"],
            currency=data["currency"],
            booked_on=data["booked_on"],
            product_family=data["product_family"],
            deal_type=data["deal_type"],
        )
    if _is_partial(request):
        return render(
            request,
            "comp/statements/_what_if.html",
            {"form": form, "estimate": estimate, "person": person},
        )
    context = _my_pay_context(request, form)
    context["estimate"] = estimate
    return render(request, "comp/statements/my_pay.html", context)


urlpatterns: list[URLPattern] = [
    path("statements/", statement_list, name="statements"),
    path("statements/lines/<int:line_id>/", statement_line, name="statement_line"),
    path("statements/<int:person_id>/<str:period_key>/", statement_detail, name="statement"),
    path("statements/<int:person_id>/<str:period_key>/pdf", statement_pdf, name="statement_pdf"),
    path(
        "statements/<int:person_id>/<str:period_key>/acknowledge",
        statement_acknowledge,
        name="statement_acknowledge",
    ),
    path("my-pay/", my_pay, name="my_pay"),
    path("my-pay/what-if", what_if, name="what_if"),
]
