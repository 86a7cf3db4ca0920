"""Customers API. A customer reaches only their own profile; staff see it masked unless they hold
pii:read (a store role, or a store-bound key, only for the customers of its store: who ordered there or
were served from it), and every unmasked read by staff is written to the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from limits import RateLimitItemPerMinute

from o2o.customers import service
from o2o.customers.schemas import (
    AddressIn,
    AddressOut,
    BrowsingOut,
    CustomerIn,
    CustomerOut,
    Favorited,
    FavoriteIn,
    FavoriteOut,
    IdentityIn,
    IdentityOut,
    MemberCodeOut,
    MemberFound,
    MergeIn,
    MergeOut,
    OrderBrief,
    PlaceOut,
    Profile,
)
from o2o.deps import ContainerDep, PrincipalDep, Uow, audit_event
from o2o.kernel import pii
from o2o.kernel.auth import Principal, require_owner
from o2o.kernel.errors import NotFound
from o2o.kernel.i18n import negotiate
from o2o.kernel.ids import Id
from o2o.loyalty import service as loyalty
from o2o.orders import service as orders

router = APIRouter(prefix="/api/v1", tags=["customers"])
COARSE = 2  # decimals of a coordinate shown masked (~1 km)


def _coarse(x: float | None) -> float | None:
    return None if x is None else round(x, COARSE)


def _unmasked(request: Request, c: ContainerDep, p: Principal, customer_id: int, target: str,
              typed_in: bool = False) -> bool:
    """Customers see their own data; staff with pii:read see it too, and that read is audited. pii:read
    is chain-wide for HQ roles; a store-bound caller holds it only for its store's customers (or for what
    it has just typed in itself) and sees everyone else masked, as a clerk does."""
    if p.is_customer:
        return True
    if not p.can("pii:read"):
        return False
    if p.store_id is not None and not typed_in and not orders.is_customer_of(c.db, customer_id, p.store_id):
        return False
    audit_event(request, c, p, "pii.read", target)
    return True


def mask_customer(out: CustomerOut) -> CustomerOut:
    return out.model_copy(update={"name": pii.mask_name(out.name), "phone": pii.mask_phone(out.phone),
                                  "email": pii.mask_email(out.email), "home_lat": _coarse(out.home_lat),
                                  "home_lng": _coarse(out.home_lng)})


def mask_address(a: AddressOut) -> AddressOut:
    return a.model_copy(update={"recipient": pii.mask_name(a.recipient), "phone": pii.mask_phone(a.phone),
                                "line": pii.mask_text(a.line), "door": pii.MASK if a.door else a.door,
                                "lat": _coarse(a.lat), "lng": _coarse(a.lng)})


@router.post("/customers", response_model=CustomerOut, status_code=201)
def create_customer(request: Request, uow: Uow, c: ContainerDep, p: PrincipalDep, body: CustomerIn) -> CustomerOut:
    """Register a customer at the till (customers sign themselves up with a phone code)."""
    out = service.create(uow, body)  # the caller's own input (an existing phone is refused with 409)
    return out if _unmasked(request, c, p, out.id, f"customer={out.id}", typed_in=True) else mask_customer(out)


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def get_customer(request: Request, c: ContainerDep, p: PrincipalDep, customer_id: Id) -> CustomerOut:
    require_owner(p, customer_id, "customer", customer_id)
    out = service.get(c.db, customer_id)
    return out if _unmasked(request, c, p, customer_id, f"customer={customer_id}") else mask_customer(out)


@router.post("/customers/{customer_id}/addresses", response_model=AddressOut, status_code=201)
def add_address(uow: Uow, p: PrincipalDep, customer_id: Id, body: AddressIn) -> AddressOut:
    """A customer adds a delivery address of their own (staff cannot plant one)."""
    require_owner(p, customer_id, "customer", customer_id)
    return service.add_address(uow, customer_id, body)


@router.get("/customers/{customer_id}/addresses", response_model=list[AddressOut])
def list_addresses(request: Request, c: ContainerDep, p: PrincipalDep, customer_id: Id) -> list[AddressOut]:
    require_owner(p, customer_id, "customer", customer_id)
    rows = service.addresses(c.db, customer_id)
    if not rows or _unmasked(request, c, p, customer_id, f"customer={customer_id},addresses"):
        return rows
    return [mask_address(a) for a in rows]


# the geocoder is a paid web service with a quota: one shopper's script must not spend everyone's
GEO_PER_CUSTOMER_MINUTE = RateLimitItemPerMinute(60)


def limit_geocoding(request: Request, p: Principal) -> None:
    """Count one geocoder call against the caller's budget (429 with Retry-After past it)."""
    request.app.state.guardian.limits.hit(GEO_PER_CUSTOMER_MINUTE, "geo", f"{p.kind}:{p.id}")


def _geocoder(c: ContainerDep):  # type: ignore[no-untyped-def]
    if c.geocoder is None:
        raise NotFound("geocoder", "")
    return c.geocoder


@router.get("/geo/suggest", response_model=list[PlaceOut])
def suggest_places(request: Request, c: ContainerDep, p: PrincipalDep,
                   q: Annotated[str, Query(min_length=1, max_length=80)],
                   near_lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
                   near_lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
                   limit: Annotated[int, Query(ge=1, le=10)] = 8) -> list[PlaceOut]:
    """Streets, buildings and POIs matching what a shopper typed so far (Chinese, pinyin or initials),
    the nearest to `near` first among equals: the address entry's suggestions (geocoder chosen by settings)."""
    near = (near_lat, near_lng) if near_lat is not None and near_lng is not None else None
    geocoder = _geocoder(c)
    limit_geocoding(request, p)
    return [PlaceOut.model_validate(place) for place in geocoder.suggest(q, near=near, limit=limit)]


@router.get("/geo/reverse", response_model=PlaceOut,
            responses={404: {"description": "no known road or building near the point"}})
def reverse_geocode(request: Request, c: ContainerDep, p: PrincipalDep, lat: Annotated[float, Query(ge=-90, le=90)],
                    lng: Annotated[float, Query(ge=-180, le=180)]) -> PlaceOut:
    """The road or building at a point (where the shopper dropped the map pin)."""
    geocoder = _geocoder(c)
    limit_geocoding(request, p)
    found = geocoder.reverse(lat, lng)
    if found is None:
        raise NotFound("place", f"{lat:.5f},{lng:.5f}")
    return PlaceOut.model_validate(found)


def mask_identity(i: IdentityOut) -> IdentityOut:
    if i.kind == "phone":
        value = pii.mask_phone(i.value)
    elif i.kind == "email":
        value = pii.mask_email(i.value)
    else:  # openids, card numbers, device ids: enough to tell two apart, not enough to use one
        value = i.value[:3] + pii.MASK + i.value[-2:] if len(i.value) > 8 else pii.MASK
    return i.model_copy(update={"value": value or ""})


def profile_of(request: Request, c: ContainerDep, p: Principal, customer_id: int) -> Profile:
    """The 360 profile: who (masked as the caller's role requires), their identities, orders of every
    channel (latest first), tier and points, favorites, recent browsing and addresses."""
    customer = service.get(c.db, customer_id)
    unmasked = _unmasked(request, c, p, customer_id, f"customer={customer_id},profile")
    ids = service.identities(c.db, customer_id)
    addresses = service.addresses(c.db, customer_id)
    if not unmasked:
        customer, ids = mask_customer(customer), [mask_identity(i) for i in ids]
        addresses = [mask_address(a) for a in addresses]
    found = orders.all_of_customer(c.db, customer_id)
    found.sort(key=lambda o: o.created_at, reverse=True)
    locale = negotiate(request.headers.get("accept-language"))
    return Profile(customer=customer, masked=not unmasked, merged_into_id=service.merged_into(c.db, customer_id),
                   identities=ids, orders=[OrderBrief.model_validate(o) for o in found],
                   member=loyalty.summary(c.db, customer_id, c.clock.now(), locale),
                   favorites=service.favorites(c.db, customer_id), browsing=service.browsing(c.db, customer_id),
                   addresses=addresses, merges=service.merges(c.db, customer_id))


@router.get("/customers/{customer_id}/profile", response_model=Profile)
def get_profile(request: Request, c: ContainerDep, p: PrincipalDep, customer_id: Id) -> Profile:
    """The 360 profile (staff: customers:read, masked unless pii:read; a customer: their own)."""
    require_owner(p, customer_id, "customer", customer_id)
    return profile_of(request, c, p, customer_id)


@router.get("/customers/{customer_id}/identities", response_model=list[IdentityOut])
def list_identities(request: Request, c: ContainerDep, p: PrincipalDep, customer_id: Id) -> list[IdentityOut]:
    require_owner(p, customer_id, "customer", customer_id)
    service.get(c.db, customer_id)
    rows = service.identities(c.db, customer_id)
    if not rows or _unmasked(request, c, p, customer_id, f"customer={customer_id},identities"):
        return rows
    return [mask_identity(i) for i in rows]


@router.post("/customers/{customer_id}/identities", response_model=IdentityOut, status_code=201)
def add_identity(request: Request, uow: Uow, c: ContainerDep, p: PrincipalDep, customer_id: Id,
                 body: IdentityIn) -> IdentityOut:
    """Staff attach a POS member card (or a device id) to a customer; one held by another customer is a 409."""
    out = service.add_identity(uow, customer_id, body.kind, body.value)
    return out if _unmasked(request, c, p, customer_id, f"customer={customer_id}", typed_in=True) \
        else mask_identity(out)


@router.post("/customers/{customer_id}/merge", response_model=MergeOut)
def merge_customers(uow: Uow, p: PrincipalDep, customer_id: Id, body: MergeIn) -> MergeOut:
    """Merge `merged_id` into this customer: every order, address, identity, cart, favorite, view and
    point moves here in one transaction; the merged customer stays as a tombstone pointing here. A
    retry answers the first merge; a customer merged away already, or the customer itself, is a 409."""
    return service.merge(uow, customer_id, body.merged_id, f"staff:{p.id} {p.name}", body.reason)


@router.get("/customers/{customer_id}/merges", response_model=list[MergeOut])
def list_merges(c: ContainerDep, customer_id: Id) -> list[MergeOut]:
    """What was merged into this customer (or where it went): who, when, why, rows moved per table."""
    return service.merges(c.db, customer_id)


@router.get("/members/lookup", response_model=MemberFound,
            responses={404: {"description": "no member has that phone, card or (current) member code"}})
def look_up_member(c: ContainerDep, phone: Annotated[str | None, Query(pattern=r"^1[3-9][0-9]{9}$")] = None,
                   card: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
                   code: Annotated[str | None, Query(min_length=1, max_length=48)] = None) -> MemberFound:
    """Find a member by phone, POS member card number or member code (the dynamic QR)."""
    found = service.find_member(c.db, phone=phone, card=card, code=code, now=c.clock.now())
    if found is None:
        raise NotFound("member", "")
    return MemberFound(customer_id=found)


@router.get("/me/favorites", response_model=list[FavoriteOut])
def my_favorites(c: ContainerDep, p: PrincipalDep) -> list[FavoriteOut]:
    return service.favorites(c.db, p.id)


@router.put("/me/favorites", response_model=Favorited)
def follow(c: ContainerDep, p: PrincipalDep, body: FavoriteIn) -> Favorited:
    """关注 a product or a store (a repeat changes nothing)."""
    service.check_target(c.db, body.kind, body.target_id)
    service.set_favorite(c.uow(), p.id, body.kind, body.target_id, True)
    return Favorited(kind=body.kind, target_id=body.target_id, favorite=True)


@router.delete("/me/favorites/{kind}/{target_id}", response_model=Favorited)
def unfollow(c: ContainerDep, p: PrincipalDep, kind: Literal["product", "store"], target_id: Id) -> Favorited:
    service.set_favorite(c.uow(), p.id, kind, target_id, False)
    return Favorited(kind=kind, target_id=target_id, favorite=False)


@router.get("/me/browsing", response_model=list[BrowsingOut])
def my_browsing(c: ContainerDep, p: PrincipalDep,
                limit: Annotated[int, Query(ge=1, le=service.BROWSING_KEEP)] = 20) -> list[BrowsingOut]:
    """The products the customer looked at lately, newest first."""
    return service.browsing(c.db, p.id, limit)


@router.get("/me/member-code", response_model=MemberCodeOut)
def my_member_code(c: ContainerDep, p: PrincipalDep, response: Response) -> MemberCodeOut:
    """The member code for the till's scanner: changes every minute, valid for this minute and the next."""
    response.headers["Cache-Control"] = "no-store"
    now = c.clock.now()
    return MemberCodeOut(code=service.member_code(p.id, now), valid_for_s=service.MEMBER_CODE_STEP_S,
                         pos_card=service.pos_card_of(c.db, p.id))
