"""Sales endpoints: currencies, FX rates, accounts, products and transactions with their splits.

Reads go through `sales.selectors` (the viewer's scope; a row outside it is a 404), writes
through `sales.services` (only administrators and comp admins may write: 403).
"""

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from openspm.core.access import require_edit
from openspm.core.errors import InvalidInput, NotFound
from openspm.org import selectors as org_selectors
from openspm.org.models import Person
from openspm.sales import selectors, services
from openspm.sales.models import Account, Currency, FxRate, Product, ProductFamily, Transaction
from openspm.sales.schemas import (
    AccountIn,
    AccountOut,
    AccountPatch,
    CurrencyIn,
    CurrencyOut,
    CurrencyPatch,
    FxRateIn,
    FxRateOut,
    FxRatePatch,
    ProductFamilyIn,
    ProductFamilyOut,
    ProductFamilyPatch,
    ProductIn,
    ProductOut,
    ProductPatch,
    SplitIn,
    TransactionIn,
    TransactionOut,
    TransactionPatch,
)

router = Router(tags=["sales"])

M = TypeVar("M", bound=Model)

# Payload fields that name a foreign key by its natural key: API name → model attribute.
_FK_NAMES = {"currency": "currency_id", "quote_currency": "quote_currency_id"}


def _one(qs: QuerySet[M], pk: object, what: str) -> M:
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No such {what}.")
    return found


def _apply(obj: Model, changes: dict[str, Any]) -> None:
    for field, value in changes.items():
        setattr(obj, _FK_NAMES.get(field, field), value)


def _stable(qs: QuerySet[M]) -> QuerySet[M]:
    """The model's ordering with the primary key last, so pages never overlap."""
    ordering = list(qs.query.order_by or qs.model._meta.ordering or ())
    return qs.order_by(*ordering, "pk")


# Currencies ---------------------------------------------------------------------------------


@router.get("/currencies", response=list[CurrencyOut])
@paginate
def list_currencies(request: HttpRequest) -> QuerySet[Currency]:
    return selectors.list_currencies(viewer=request.user)


@router.get("/currencies/{code}", response=CurrencyOut)
def get_currency(request: HttpRequest, code: str) -> Currency:
    return _one(selectors.list_currencies(viewer=request.user), code.upper(), "currency")


@router.post("/currencies", response={201: CurrencyOut})
def create_currency(request: HttpRequest, payload: CurrencyIn) -> tuple[int, Currency]:
    currency = Currency(**payload.model_dump())
    return 201, services.save_currency(actor=request.user, currency=currency)


@router.patch("/currencies/{code}", response=CurrencyOut)
def update_currency(request: HttpRequest, code: str, payload: CurrencyPatch) -> Currency:
    currency = _one(selectors.list_currencies(viewer=request.user), code.upper(), "currency")
    _apply(currency, payload.model_dump(exclude_unset=True))
    return services.save_currency(actor=request.user, currency=currency)


# FX rates -----------------------------------------------------------------------------------


@router.get("/fx-rates", response=list[FxRateOut])
@paginate
def list_fx_rates(
    request: HttpRequest,
    currency: str = "",
    quote_currency: str = "",
    rate_from: date | None = None,
    rate_to: date | None = None,
) -> QuerySet[FxRate]:
    qs = selectors.list_fx_rates(
        viewer=request.user, currency=currency, quote_currency=quote_currency
    )
    if rate_from:
        qs = qs.filter(rate_on__gte=rate_from)
    if rate_to:
        qs = qs.filter(rate_on__lte=rate_to)
    return _stable(qs)


@router.get("/fx-rates/{fx_rate_id}", response=FxRateOut)
def get_fx_rate(request: HttpRequest, fx_rate_id: int) -> FxRate:
    return _one(selectors.list_fx_rates(viewer=request.user), fx_rate_id, "FX rate")


@router.post("/fx-rates", response={201: FxRateOut})
def create_fx_rate(request: HttpRequest, payload: FxRateIn) -> tuple[int, FxRate]:
    fx_rate = FxRate()
    _apply(fx_rate, payload.model_dump())
    fx_rate = services.save_fx_rate(actor=request.user, fx_rate=fx_rate)
    return 201, get_fx_rate(request, fx_rate.pk)


@router.patch("/fx-rates/{fx_rate_id}", response=FxRateOut)
def update_fx_rate(request: HttpRequest, fx_rate_id: int, payload: FxRatePatch) -> FxRate:
    fx_rate = _one(selectors.list_fx_rates(viewer=request.user), fx_rate_id, "FX rate")
    _apply(fx_rate, payload.model_dump(exclude_unset=True))
    services.save_fx_rate(actor=request.user, fx_rate=fx_rate)
    return get_fx_rate(request, fx_rate.pk)


# Accounts -----------------------------------------------------------------------------------


@router.get("/accounts", response=list[AccountOut])
@paginate
def list_accounts(
    request: HttpRequest,
    search: str = "",
    country: str = "",
    region: str = "",
    industry: str = "",
    owner_id: int | None = None,
) -> QuerySet[Account]:
    qs = selectors.list_accounts(viewer=request.user, search=search, country=country)
    if region:
        qs = qs.filter(region__iexact=region)
    if industry:
        qs = qs.filter(industry__iexact=industry)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return _stable(qs)


@router.get("/accounts/{account_id}", response=AccountOut)
def get_account(request: HttpRequest, account_id: int) -> Account:
    return selectors.get_account(viewer=request.user, account_id=account_id)


@router.post("/accounts", response={201: AccountOut})
def create_account(request: HttpRequest, payload: AccountIn) -> tuple[int, Account]:
    account = Account(**payload.model_dump())
    return 201, services.save_account(actor=request.user, account=account)


@router.patch("/accounts/{account_id}", response=AccountOut)
def update_account(request: HttpRequest, account_id: int, payload: AccountPatch) -> Account:
    account = selectors.get_account(viewer=request.user, account_id=account_id)
    changes = payload.model_dump(exclude_unset=True)
    if "employee_band" in changes and changes["employee_band"] is None:
        changes["employee_band"] = ""
    _apply(account, changes)
    return services.save_account(actor=request.user, account=account)


# Product families and products --------------------------------------------------------------


@router.get("/product-families", response=list[ProductFamilyOut])
@paginate
def list_product_families(request: HttpRequest) -> QuerySet[ProductFamily]:
    return _stable(selectors.list_product_families(viewer=request.user))


@router.get("/product-families/{family_id}", response=ProductFamilyOut)
def get_product_family(request: HttpRequest, family_id: int) -> ProductFamily:
    return _one(selectors.list_product_families(viewer=request.user), family_id, "family")


@router.post("/product-families", response={201: ProductFamilyOut})
def create_product_family(
    request: HttpRequest, payload: ProductFamilyIn
) -> tuple[int, ProductFamily]:
    family = ProductFamily(**payload.model_dump())
    return 201, services.save_product_family(actor=request.user, family=family)


@router.patch("/product-families/{family_id}", response=ProductFamilyOut)
def update_product_family(
    request: HttpRequest, family_id: int, payload: ProductFamilyPatch
) -> ProductFamily:
    family = _one(selectors.list_product_families(viewer=request.user), family_id, "family")
    _apply(family, payload.model_dump(exclude_unset=True))
    return services.save_product_family(actor=request.user, family=family)


@router.get("/products", response=list[ProductOut])
@paginate
def list_products(request: HttpRequest, family: str = "", search: str = "") -> QuerySet[Product]:
    qs = selectors.list_products(viewer=request.user, family=family)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(sku__icontains=search))
    return _stable(qs)


@router.get("/products/{product_id}", response=ProductOut)
def get_product(request: HttpRequest, product_id: int) -> Product:
    return _one(selectors.list_products(viewer=request.user), product_id, "product")


@router.post("/products", response={201: ProductOut})
def create_product(request: HttpRequest, payload: ProductIn) -> tuple[int, Product]:
    product = Product(**payload.model_dump())
    return 201, services.save_product(actor=request.user, product=product)


@router.patch("/products/{product_id}", response=ProductOut)
def update_product(request: HttpRequest, product_id: int, payload: ProductPatch) -> Product:
    product = _one(selectors.list_products(viewer=request.user), product_id, "product")
    _apply(product, payload.model_dump(exclude_unset=True))
    return services.save_product(actor=request.user, product=product)


# Transactions -------------------------------------------------------------------------------


def _split_people(request: HttpRequest, splits: list[SplitIn]) -> dict[Person, Decimal]:
    """Resolve split payees; an id the actor cannot see is reported like an unknown one."""
    ids = [s.person_id for s in splits]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Invalid input.", detail={"splits": ["A person appears twice."]})
    people = {p.pk: p for p in org_selectors.list_people(viewer=request.user).filter(pk__in=ids)}
    unknown = [i for i in ids if i not in people]
    if unknown:
        raise InvalidInput("Invalid input.", detail={"splits": [f"No such person: {unknown}."]})
    return {people[s.person_id]: s.split_percent for s in splits}


@router.get("/transactions", response=list[TransactionOut])
@paginate
def list_transactions(
    request: HttpRequest,
    search: str = "",
    booked_from: date | None = None,
    booked_to: date | None = None,
    status: Transaction.Status | None = None,
    type: Transaction.Type | None = None,
    currency: str = "",
    person_id: int | None = None,
) -> QuerySet[Transaction]:
    qs = selectors.list_transactions(
        viewer=request.user,
        search=search,
        booked_from=booked_from,
        booked_to=booked_to,
        status=status or "",
        person_id=person_id,
    )
    if type:
        qs = qs.filter(type=type)
    if currency:
        qs = qs.filter(currency_id=currency.upper())
    return _stable(qs.prefetch_related("splits"))


@router.get("/transactions/{transaction_id}", response=TransactionOut)
def get_transaction(request: HttpRequest, transaction_id: int) -> Transaction:
    return selectors.get_transaction(viewer=request.user, transaction_id=transaction_id)


@router.post("/transactions", response={201: TransactionOut})
def create_transaction(request: HttpRequest, payload: TransactionIn) -> tuple[int, Transaction]:
    require_edit(request.user)
    fields = payload.model_dump(exclude={"splits"})
    splits = _split_people(request, payload.splits)
    tx = Transaction()
    _apply(tx, fields)
    tx = services.save_transaction(actor=request.user, tx=tx, splits=splits)
    return 201, selectors.get_transaction(viewer=request.user, transaction_id=tx.pk)


@router.patch("/transactions/{transaction_id}", response=TransactionOut)
def update_transaction(
    request: HttpRequest, transaction_id: int, payload: TransactionPatch
) -> Transaction:
    tx = selectors.get_transaction(viewer=request.user, transaction_id=transaction_id)
    require_edit(request.user)
    changes = payload.model_dump(exclude_unset=True, exclude={"splits"})
    splits = None if payload.splits is None else _split_people(request, payload.splits)
    _apply(tx, changes)
    services.save_transaction(actor=request.user, tx=tx, splits=splits)
    return selectors.get_transaction(viewer=request.user, transaction_id=tx.pk)
