"""Programme vocabularies: typed enums every service uses for the same words."""

from __future__ import annotations

from enum import StrEnum


class Sector(StrEnum):
    """Vocational sectors. The programme names the first four itself."""

    TOURISM = "tourism"
    RENEWABLE_ENERGY = "renewable_energy"
    CRAFTS = "crafts"
    TEXTILE = "textile"
    AGRICULTURE_AGRIFOOD = "agriculture_agrifood"
    CONSTRUCTION = "construction"
    AUTOMOTIVE_AERONAUTICS = "automotive_aeronautics"
    OFFSHORING_DIGITAL = "offshoring_digital"
    HEALTH_SOCIAL_CARE = "health_social_care"
    LOGISTICS = "logistics"
    HOSPITALITY_CATERING = "hospitality_catering"
    COMMERCE = "commerce"
    OTHER = "other"


SECTOR_NAMES_FR: dict[Sector, str] = {
    Sector.TOURISM: "Tourisme",
    Sector.RENEWABLE_ENERGY: "Énergies renouvelables",
    Sector.CRAFTS: "Artisanat",
    Sector.TEXTILE: "Textile et habillement",
    Sector.AGRICULTURE_AGRIFOOD: "Agriculture et agroalimentaire",
    Sector.CONSTRUCTION: "Bâtiment et travaux publics (BTP)",
    Sector.AUTOMOTIVE_AERONAUTICS: "Automobile et aéronautique",
    Sector.OFFSHORING_DIGITAL: "Offshoring et numérique",
    Sector.HEALTH_SOCIAL_CARE: "Santé et action sociale",
    Sector.LOGISTICS: "Transport et logistique",
    Sector.HOSPITALITY_CATERING: "Hôtellerie et restauration",
    Sector.COMMERCE: "Commerce et distribution",
    Sector.OTHER: "Autre",
}

PROGRAMME_SECTORS = frozenset(
    {Sector.TOURISM, Sector.RENEWABLE_ENERGY, Sector.CRAFTS, Sector.TEXTILE}
)


class VulnerabilityCriterion(StrEnum):
    """Why a person is supported by an association (several may apply)."""

    NEET_YOUTH = "neet_youth"
    WOMAN_IN_PRECARITY = "woman_in_precarity"
    PERSON_WITH_DISABILITY = "person_with_disability"
    RURAL_RESIDENT = "rural_resident"
    MIGRANT_OR_REFUGEE = "migrant_or_refugee"
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"
    SCHOOL_DROPOUT = "school_dropout"
    SINGLE_PARENT = "single_parent"
    LOW_INCOME_HOUSEHOLD = "low_income_household"
    FORMER_DETAINEE = "former_detainee"


VULNERABILITY_NAMES_FR: dict[VulnerabilityCriterion, str] = {
    VulnerabilityCriterion.NEET_YOUTH: "Jeune ni en emploi, ni en études, ni en formation (NEET)",
    VulnerabilityCriterion.WOMAN_IN_PRECARITY: "Femme en situation de précarité",
    VulnerabilityCriterion.PERSON_WITH_DISABILITY: "Personne en situation de handicap",
    VulnerabilityCriterion.RURAL_RESIDENT: "Personne résidant en milieu rural",
    VulnerabilityCriterion.MIGRANT_OR_REFUGEE: "Migrant ou réfugié",
    VulnerabilityCriterion.LONG_TERM_UNEMPLOYED: "Chômeur de longue durée",
    VulnerabilityCriterion.SCHOOL_DROPOUT: "Jeune en décrochage scolaire",
    VulnerabilityCriterion.SINGLE_PARENT: "Parent isolé",
    VulnerabilityCriterion.LOW_INCOME_HOUSEHOLD: "Ménage à faible revenu",
    VulnerabilityCriterion.FORMER_DETAINEE: "Personne sortant de détention",
}


class OutcomeType(StrEnum):
    """Where the support of a beneficiary leads (the programme counts these four)."""

    EMPLOYMENT = "employment"
    VERY_SMALL_BUSINESS = "very_small_business"
    COOPERATIVE = "cooperative"
    SELF_EMPLOYED = "self_employed"


OUTCOME_NAMES_FR: dict[OutcomeType, str] = {
    OutcomeType.EMPLOYMENT: "Emploi salarié",
    OutcomeType.VERY_SMALL_BUSINESS: "Création d'une très petite entreprise (TPE)",
    OutcomeType.COOPERATIVE: "Création ou intégration d'une coopérative",
    OutcomeType.SELF_EMPLOYED: "Statut d'auto-entrepreneur",
}
