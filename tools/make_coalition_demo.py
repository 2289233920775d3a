"""Write the Coalition demo (issue 23): requesting governments, members of each kind with typed
offers, and requests in French, English and Spanish, under ``matcher/demo/data/coalition-*.jsonl``.

    python -m tools.make_coalition_demo

Generated, fictional data: the organisations are invented (no real ministry, company or agency
made these offers), written after the Global Education Coalition's 2023 meeting note
(``shared/seeds/global-education-coalition-annual-meeting-2023.fr.txt``): governments ask, and
multilateral, private-sector, media, academic and civil-society members answer with expertise,
in-kind and financial support, content and connectivity, in three tiers of technology.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "matcher" / "demo" / "data"
GEC, DTC = "Global Education Coalition", "Digital Transformation Collaborative"
GENERATED = "Generated demo record (fictional)."


def member(
    member_id: str, name: str, kind: str, country: str, region: str, languages: list[str], profile: str, dtc: bool = False
) -> dict[str, Any]:
    return {
        "id": member_id,
        "name": name,
        "kind": kind,
        "country": country,
        "region": region,
        "languages": languages,
        "networks": [GEC, DTC] if dtc else [GEC],
        "profile": f"{profile} {GENERATED}",
    }


MEMBERS = [
    # requesting governments: four in Africa, one in Latin America, one in Asia
    member(
        "gov-edu-sn",
        "Ministère de l'Éducation nationale (Sénégal)",
        "government",
        "SN",
        "Africa",
        ["fr", "wo"],
        "Ministère chargé de l'enseignement préscolaire, élémentaire et moyen.",
    ),
    member(
        "gov-edu-cd",
        "Ministère de l'Enseignement primaire, secondaire et technique (RDC)",
        "government",
        "CD",
        "Africa",
        ["fr", "ln"],
        "Ministère chargé des écoles primaires et secondaires.",
    ),
    member(
        "gov-edu-ke",
        "Ministry of Education (Kenya)",
        "government",
        "KE",
        "Africa",
        ["en", "sw"],
        "Ministry responsible for basic education and teacher development.",
    ),
    member(
        "gov-edu-bf",
        "Ministère de l'Éducation nationale (Burkina Faso)",
        "government",
        "BF",
        "Africa",
        ["fr"],
        "Ministère chargé de l'éducation de base, y compris dans les zones touchées par l'insécurité.",
    ),
    member(
        "gov-edu-pe",
        "Ministerio de Educación (Perú)",
        "government",
        "PE",
        "Latin America and the Caribbean",
        ["es", "qu"],
        "Ministerio a cargo de la educación básica regular y rural.",
    ),
    member(
        "gov-edu-np",
        "Ministry of Education, Science and Technology (Nepal)",
        "government",
        "NP",
        "Asia-Pacific",
        ["en", "ne"],
        "Ministry responsible for school education in mountain districts.",
    ),
    # partners of each kind of the note's mix
    member(
        "mlt-connect-alliance",
        "School Connectivity Alliance",
        "multilateral",
        "CH",
        "Europe and North America",
        ["en", "fr", "es"],
        "A multilateral programme that maps and connects schools to the internet.",
        dtc=True,
    ),
    member(
        "mlt-education-fund",
        "Fonds multilatéral pour l'éducation numérique",
        "multilateral",
        "FR",
        "Europe and North America",
        ["fr", "en", "es"],
        "Un fonds multilatéral qui finance l'équipement numérique des écoles.",
        dtc=True,
    ),
    member(
        "prv-afritel",
        "AfriTel Networks",
        "private_sector",
        "KE",
        "Africa",
        ["en", "fr", "sw"],
        "A telecommunications operator with rural networks in East and West Africa.",
        dtc=True,
    ),
    member(
        "prv-tabletworks",
        "TabletWorks",
        "private_sector",
        "IE",
        "Europe and North America",
        ["en", "fr", "es"],
        "A maker of rugged tablets for classrooms.",
    ),
    member(
        "prv-cloudlearn",
        "CloudLearn",
        "private_sector",
        "US",
        "Europe and North America",
        ["en", "es"],
        "A learning platform company with an education programme.",
        dtc=True,
    ),
    member(
        "med-radio-ecole",
        "Radio École Sans Frontières",
        "media",
        "SN",
        "Africa",
        ["fr", "wo"],
        "Une radio éducative qui produit des cours radiophoniques.",
    ),
    member(
        "med-tv-andina",
        "Televisión Educativa Andina",
        "media",
        "PE",
        "Latin America and the Caribbean",
        ["es", "qu"],
        "Una televisora educativa que emite clases para zonas rurales.",
    ),
    member(
        "aca-ifen",
        "Institut de formation des enseignants au numérique",
        "academia",
        "CI",
        "Africa",
        ["fr"],
        "Un institut universitaire de formation des enseignants.",
        dtc=True,
    ),
    member(
        "aca-open-teacher",
        "Open Teacher University",
        "academia",
        "GB",
        "Europe and North America",
        ["en"],
        "A distance university that trains teachers.",
    ),
    member(
        "aca-upd",
        "Universidad Pedagógica Digital",
        "academia",
        "CO",
        "Latin America and the Caribbean",
        ["es"],
        "Una universidad pedagógica con programas a distancia.",
    ),
    member(
        "org-lire-partout",
        "Fondation Lire Partout",
        "organization",
        "FR",
        "Europe and North America",
        ["fr", "en"],
        "Une fondation qui diffuse des livres et des contenus de lecture.",
    ),
]


def offer(
    offer_id: str, member_id: str, kind: str, description: str, unit: str, capacity: float, languages: list[str], **extra: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": offer_id,
        "member_id": member_id,
        "type": kind,
        "description": description,
        "unit": unit,
        "capacity": capacity,
        "languages": languages,
    }
    row.update(extra)
    return row


OFFERS = [
    offer(
        "off-connect-schools",
        "mlt-connect-alliance",
        "connectivity",
        "We connect rural schools to the internet: mapping, satellite and mobile links, and the first year of data.",
        "units",
        300,
        ["en", "fr", "es"],
        committed=40,
        tech_level="high",
    ),
    offer(
        "off-connect-experts",
        "mlt-connect-alliance",
        "expertise",
        "Our engineers advise ministries on national school connectivity plans.",
        "person_days",
        120,
        ["en", "fr"],
        tech_level="high",
    ),
    offer(
        "off-afritel-rural",
        "prv-afritel",
        "connectivity",
        "Connexion internet par réseau mobile 4G pour les écoles rurales, routeurs compris.",
        "units",
        250,
        ["fr", "en", "sw"],
        regions=["Africa"],
        tech_level="high",
    ),
    offer(
        "off-fund-devices",
        "mlt-education-fund",
        "financial",
        "Nous finançons l'achat d'appareils numériques (tablettes, ordinateurs) pour les élèves.",
        "amount",
        2_000_000,
        ["fr", "en", "es"],
        currency="USD",
        committed=500_000,
    ),
    offer(
        "off-fund-training",
        "mlt-education-fund",
        "financial",
        "Subventions pour la formation continue des enseignants au numérique.",
        "amount",
        400_000,
        ["en", "fr", "es"],
        currency="USD",
    ),
    offer(
        "off-tablets",
        "prv-tabletworks",
        "in_kind",
        "Tablets for students and teachers, donated to schools in remote areas.",
        "units",
        5000,
        ["en", "fr", "es"],
        tech_level="high",
    ),
    offer(
        "off-cloud-platform",
        "prv-cloudlearn",
        "content",
        "Free licences to an online learning platform with courses for secondary students.",
        "units",
        100_000,
        ["en", "es"],
        tech_level="high",
    ),
    offer(
        "off-cloud-training",
        "prv-cloudlearn",
        "expertise",
        "Formación de docentes en competencias digitales y uso de plataformas en línea.",
        "person_days",
        200,
        ["es", "en"],
        regions=["Latin America and the Caribbean"],
        tech_level="high",
    ),
    offer(
        "off-radio-lessons",
        "med-radio-ecole",
        "content",
        "Des cours radiophoniques de lecture et de mathématiques pour les élèves sans école ni internet.",
        "units",
        200,
        ["fr"],
        regions=["Africa"],
        tech_level="low",
    ),
    offer(
        "off-tv-clases",
        "med-tv-andina",
        "content",
        "Clases televisadas de primaria para escuelas rurales sin internet.",
        "units",
        300,
        ["es", "qu"],
        countries=["PE", "BO", "EC"],
        tech_level="low",
    ),
    offer(
        "off-ifen-training",
        "aca-ifen",
        "expertise",
        "Formation des enseignants au numérique : apprendre à enseigner avec des tablettes et des outils numériques en classe.",
        "person_days",
        400,
        ["fr"],
        regions=["Africa"],
        tech_level="low",
    ),
    offer(
        "off-open-teacher",
        "aca-open-teacher",
        "expertise",
        "Distance courses that train teachers to teach with digital tools.",
        "person_days",
        300,
        ["en"],
        tech_level="high",
    ),
    offer(
        "off-upd-docentes",
        "aca-upd",
        "expertise",
        "Diplomado a distancia para docentes rurales en pedagogía digital.",
        "person_days",
        150,
        ["es"],
        regions=["Latin America and the Caribbean"],
        tech_level="low",
    ),
    offer(
        "off-books",
        "org-lire-partout",
        "in_kind",
        "Des livres de lecture imprimés pour les bibliothèques scolaires.",
        "units",
        20_000,
        ["fr", "en"],
        tech_level="none",
    ),
]


def request(
    request_id: str,
    title: str,
    requester: str,
    country: str,
    region: str,
    languages: list[str],
    components: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    who = {"requester_name": requester} if " " in requester else {"requester_id": requester}
    row = {"id": request_id, "title": title, **who, "country": country, "region": region, "languages": languages, "components": components}
    row.update(extra)
    return row


REQUESTS = [
    # the French request of the issue: three covered types and one component nobody offers
    request(
        "req-sn-ecoles-rurales",
        "Connecter et équiper les écoles rurales",
        "gov-edu-sn",
        "SN",
        "Africa",
        ["fr"],
        [
            {"text": "Connecter à internet 200 écoles rurales qui n'ont aucun accès au réseau.", "type": "connectivity", "quantity": 200},
            {
                "text": "Former les enseignants aux compétences numériques pour enseigner avec les outils numériques.",
                "type": "expertise",
                "quantity": 300,
            },
            {
                "text": "Financer l'achat de tablettes pour les élèves des écoles rurales.",
                "type": "financial",
                "quantity": 250_000,
                "currency": "USD",
            },
            {"text": "Construire des cantines et fournir des repas scolaires aux élèves.", "type": "in_kind", "quantity": 50},
        ],
        tech_level="high",
        deadline="2027-09-01",
    ),
    request(
        "req-ke-remote",
        "Learning for pastoralist children",
        "gov-edu-ke",
        "KE",
        "Africa",
        ["en", "sw"],
        [
            {"text": "Radio and offline lessons for children in remote pastoralist areas.", "type": "content"},
            {"text": "Train teachers to teach with digital tools in low-connectivity schools.", "type": "expertise", "quantity": 100},
        ],
        tech_level="low",
        deadline="2027-06-30",
    ),
    request(
        "req-pe-andes",
        "Escuelas rurales andinas conectadas",
        "gov-edu-pe",
        "PE",
        "Latin America and the Caribbean",
        ["es"],
        [
            {"text": "Clases por televisión para estudiantes de primaria en comunidades sin internet.", "type": "content"},
            {"text": "Formación de docentes rurales en competencias digitales.", "type": "expertise", "quantity": 120},
            {"text": "Tabletas para los estudiantes de escuelas rurales.", "type": "in_kind", "quantity": 1500},
        ],
        deadline="2027-12-15",
    ),
    request(
        "req-np-mountains",
        "Devices and connectivity for mountain schools",
        "gov-edu-np",
        "NP",
        "Asia-Pacific",
        ["en"],
        [
            {"text": "Internet connectivity for schools in mountain districts.", "type": "connectivity", "quantity": 60},
            {"text": "Tablets for students in mountain schools.", "type": "in_kind", "quantity": 1000},
        ],
    ),
    request(
        "req-cd-radio",
        "Continuité pédagogique par la radio",
        "gov-edu-cd",
        "CD",
        "Africa",
        ["fr"],
        [
            {"text": "Des cours à la radio pour les élèves déplacés qui ne vont plus à l'école.", "type": "content"},
            {"text": "Des livres de lecture pour les écoles d'accueil.", "type": "in_kind", "quantity": 5000},
        ],
    ),
    request(
        "req-bf-formation",
        "Former les enseignants des zones d'insécurité",
        "Ministère de l'Éducation nationale (Burkina Faso)",
        "BF",
        "Africa",
        ["fr"],
        [
            {"text": "Former les enseignants à l'enseignement à distance et aux outils numériques.", "type": "expertise", "quantity": 80},
            {"text": "Financer la formation continue des enseignants.", "type": "financial", "quantity": 100_000, "currency": "USD"},
        ],
    ),
]


def write(name: str, rows: list[dict[str, Any]]) -> None:
    (OUT / name).write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def main() -> None:
    write("coalition-members.jsonl", MEMBERS)
    write("coalition-offers.jsonl", OFFERS)
    write("coalition-requests.jsonl", REQUESTS)
    print(f"{len(MEMBERS)} members, {len(OFFERS)} offers, {len(REQUESTS)} requests written to {OUT}")


if __name__ == "__main__":
    main()
