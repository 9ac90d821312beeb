"""schema.org JSON-LD of one offer: an ``EducationalOccupationalProgram`` by an
``EducationalOrganization``, its sessions as ``CourseInstance``s of one ``Course``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from offers.catalogue.models import Offer
from offers.providers.models import Provider
from offers.sessions.models import TrainingSession
from offers.vocabulary import OfferMode, SessionStatus
from shared import reference

PROGRAM_MODES: dict[str, str] = {
    OfferMode.IN_PERSON: "onsite",
    OfferMode.REMOTE: "online",
    OfferMode.BLENDED: "blended",
    OfferMode.WORK_BASED: "work-based",
}
EVENT_STATUS = {
    SessionStatus.CANCELLED: "https://schema.org/EventCancelled",
}
ISCO_08 = "https://www.ilo.org/public/english/bureau/stat/isco/isco08/"


def _without_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, [], {}, "")}


def _region_name(code: str) -> str:
    return next((r.name_fr for r in reference.regions() if r.code == code), code)


def _province_name(code: str | None) -> str | None:
    return next((p.name_fr for p in reference.provinces() if p.code == code), code)


def _address(
    region: str, province: str | None, commune: str | None, street: str | None = None
) -> dict[str, Any]:
    return _without_empty(
        {
            "@type": "PostalAddress",
            "streetAddress": street,
            "addressLocality": commune or _province_name(province),
            "addressRegion": _region_name(region),
            "addressCountry": "MA",
        }
    )


def _organization(provider: Provider) -> dict[str, Any]:
    geo = None
    if provider.latitude is not None and provider.longitude is not None:
        geo = {
            "@type": "GeoCoordinates",
            "latitude": provider.latitude,
            "longitude": provider.longitude,
        }
    return _without_empty(
        {
            "@type": "EducationalOrganization",
            "@id": f"urn:uuid:{provider.id}",
            "name": provider.name,
            "identifier": provider.legal_id,
            "telephone": provider.phone,
            "email": provider.email,
            "url": provider.website,
            "hasCredential": provider.accreditation,
            "address": _address(
                provider.region, provider.province, provider.commune, provider.address
            ),
            "geo": geo,
        }
    )


def _instance(session: TrainingSession, mode: str) -> dict[str, Any]:
    return _without_empty(
        {
            "@type": "CourseInstance",
            "@id": f"urn:uuid:{session.id}",
            "startDate": session.start_date.isoformat(),
            "endDate": session.end_date.isoformat(),
            "courseMode": mode,
            "courseSchedule": _without_empty({"@type": "Schedule", "description": session.schedule})
            if session.schedule
            else None,
            "location": {
                "@type": "Place",
                "address": _address(session.region, session.province, session.commune),
            },
            "maximumAttendeeCapacity": session.seats_total,
            "remainingAttendeeCapacity": session.seats_total - session.seats_reserved,
            "eventStatus": EVENT_STATUS.get(
                SessionStatus(session.status), "https://schema.org/EventScheduled"
            ),
        }
    )


def offer_document(
    offer: Offer, provider: Provider, sessions: Sequence[TrainingSession]
) -> dict[str, Any]:
    mode = PROGRAM_MODES[offer.mode]
    isco_names = {group.code: group.name for group in reference.isco_groups()}
    upcoming = [s for s in sessions if s.status != SessionStatus.CANCELLED]
    first = min(upcoming, key=lambda s: s.start_date) if upcoming else None
    name: Any = offer.title_fr
    if offer.title_ar:
        name = [
            {"@value": offer.title_fr, "@language": "fr"},
            {"@value": offer.title_ar, "@language": "ar"},
        ]
    return _without_empty(
        {
            "@context": "https://schema.org",
            "@type": "EducationalOccupationalProgram",
            "@id": f"urn:uuid:{offer.id}",
            "identifier": str(offer.id),
            "name": name,
            "description": offer.description,
            "teaches": offer.objectives,
            "programPrerequisites": offer.prerequisites,
            "educationalProgramMode": mode,
            "timeToComplete": f"PT{offer.duration_hours}H",
            "inLanguage": offer.languages,
            "occupationalCategory": [
                {
                    "@type": "CategoryCode",
                    "inCodeSet": ISCO_08,
                    "codeValue": code,
                    "name": isco_names.get(code),
                }
                for code in offer.isco_groups
            ],
            "educationalCredentialAwarded": offer.certification_name or offer.certification_level,
            "audience": [
                {"@type": "EducationalAudience", "audienceType": public}
                for public in offer.target_publics
            ],
            "offers": {
                "@type": "Offer",
                "price": offer.cost_mad,
                "priceCurrency": "MAD",
                "category": "Free" if offer.cost_mad == 0 else "Paid",
            },
            "startDate": first.start_date.isoformat() if first else None,
            "applicationDeadline": first.registration_deadline.isoformat()
            if first and first.registration_deadline
            else None,
            "dateModified": offer.updated_at.isoformat(),
            "provider": _organization(provider),
            "hasCourse": {
                "@type": "Course",
                "name": offer.title_fr,
                "provider": {"@id": f"urn:uuid:{provider.id}"},
                "hasCourseInstance": [_instance(s, mode) for s in sessions],
            },
        }
    )
