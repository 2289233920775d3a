"""Write the demo network (members.jsonl, resources.jsonl) from the topic catalogue, deterministically.

Run from the repository root: ``python -m tools.demo_build ../shared`` (an offline step, not part of
the runtime package; ``peermatch demo`` loads what it wrote). The output is
committed; the product never needs ../shared at run time. City names and existing twin
ties come from the twin-city list (Wikipedia, CC BY-SA 4.0, via Hekman/twincities).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

from matcher.demo import DEMO_DATA
from matcher.demo.topics import CLUSTERS, TOPICS, DemoTopic

DATA = DEMO_DATA
SEED = 2026

# name in the twin-city list, ISO code, region, languages, language our demo texts use
COUNTRIES: list[tuple[str, str, str, list[str], str]] = [
    ("Kenya", "KE", "Africa", ["en", "sw"], "en"),
    ("Nigeria", "NG", "Africa", ["en"], "en"),
    ("Ghana", "GH", "Africa", ["en"], "en"),
    ("South Africa", "ZA", "Africa", ["en", "zu"], "en"),
    ("Ethiopia", "ET", "Africa", ["am", "en"], "en"),
    ("Tanzania", "TZ", "Africa", ["sw", "en"], "en"),
    ("Senegal", "SN", "Africa", ["fr", "wo"], "fr"),
    ("Ivory Coast", "CI", "Africa", ["fr"], "fr"),
    ("Mali", "ML", "Africa", ["fr"], "fr"),
    ("Burkina Faso", "BF", "Africa", ["fr"], "fr"),
    ("Benin", "BJ", "Africa", ["fr"], "fr"),
    ("Cameroon", "CM", "Africa", ["fr", "en"], "fr"),
    ("Democratic Republic of the Congo", "CD", "Africa", ["fr"], "fr"),
    ("Morocco", "MA", "Arab States", ["ar", "fr"], "fr"),
    ("Tunisia", "TN", "Arab States", ["ar", "fr"], "fr"),
    ("Lebanon", "LB", "Arab States", ["ar", "fr", "en"], "fr"),
    ("Egypt", "EG", "Arab States", ["ar", "en"], "en"),
    ("Jordan", "JO", "Arab States", ["ar", "en"], "en"),
    ("India", "IN", "Asia-Pacific", ["hi", "en"], "en"),
    ("Philippines", "PH", "Asia-Pacific", ["tl", "en"], "en"),
    ("Indonesia", "ID", "Asia-Pacific", ["id", "en"], "en"),
    ("China", "CN", "Asia-Pacific", ["zh", "en"], "en"),
    ("South Korea", "KR", "Asia-Pacific", ["ko", "en"], "en"),
    ("Australia", "AU", "Asia-Pacific", ["en"], "en"),
    ("Vietnam", "VN", "Asia-Pacific", ["vi", "en"], "en"),
    ("France", "FR", "Europe and North America", ["fr", "en"], "fr"),
    ("Belgium", "BE", "Europe and North America", ["fr", "nl", "en"], "fr"),
    ("Spain", "ES", "Europe and North America", ["es", "en"], "es"),
    ("Portugal", "PT", "Europe and North America", ["pt", "es", "en"], "es"),
    ("Germany", "DE", "Europe and North America", ["de", "en"], "en"),
    ("Ireland", "IE", "Europe and North America", ["en"], "en"),
    ("Sweden", "SE", "Europe and North America", ["sv", "en"], "en"),
    ("Canada", "CA", "Europe and North America", ["en", "fr"], "en"),
    ("United States", "US", "Europe and North America", ["en", "es"], "en"),
    ("Mexico", "MX", "Latin America and the Caribbean", ["es"], "es"),
    ("Colombia", "CO", "Latin America and the Caribbean", ["es"], "es"),
    ("Argentina", "AR", "Latin America and the Caribbean", ["es"], "es"),
    ("Chile", "CL", "Latin America and the Caribbean", ["es"], "es"),
    ("Peru", "PE", "Latin America and the Caribbean", ["es"], "es"),
    ("Ecuador", "EC", "Latin America and the Caribbean", ["es"], "es"),
    ("Costa Rica", "CR", "Latin America and the Caribbean", ["es"], "es"),
    ("Brazil", "BR", "Latin America and the Caribbean", ["pt", "es"], "es"),
]
CITIES_PER_REGION = {
    "Africa": 28,
    "Arab States": 12,
    "Asia-Pacific": 16,
    "Europe and North America": 24,
    "Latin America and the Caribbean": 16,
}
NORTH = "Europe and North America"

PROFILE = {
    "city": {
        "en": "{name} is a learning city in {country} and a member of {networks}. It works on {topics}.",
        "fr": "{name} est une ville apprenante ({country}) membre de {networks}. Elle travaille sur {topics}.",
        "es": "{name} es una ciudad del aprendizaje de {country}, miembro de {networks}. Trabaja en {topics}.",
    },
    "local_government": {
        "en": "{name} is a local government in {country} and a member of {networks}. Its priorities: {topics}.",
        "fr": "{name} est une collectivité locale ({country}) membre de {networks}. Ses priorités : {topics}.",
        "es": "{name} es un gobierno local de {country}, miembro de {networks}. Sus prioridades: {topics}.",
    },
    "coalition": {
        "en": "{name} is a national civil society coalition for the right to education in {country}, member of {networks}. It works on {topics}.",
        "fr": "{name} est une coalition nationale de la société civile pour le droit à l'éducation ({country}), membre de {networks}. Elle travaille sur {topics}.",
        "es": "{name} es una coalición nacional de la sociedad civil por el derecho a la educación en {country}, miembro de {networks}. Trabaja en {topics}.",
    },
    "organization": {
        "en": "{name} is an international organisation supporting education systems, member of {networks}. It offers expertise in {topics}.",
        "fr": "{name} est une organisation internationale d'appui aux systèmes éducatifs, membre de {networks}. Elle apporte une expertise en {topics}.",
        "es": "{name} es una organización internacional de apoyo a los sistemas educativos, miembro de {networks}. Aporta experiencia en {topics}.",
    },
}
LOCAL_GOVERNMENT_NAME = {"en": "{city} District Council", "fr": "Conseil départemental de {city}", "es": "Gobierno Provincial de {city}"}
COALITION_NAME = {
    "en": "{country} Coalition for Education",
    "fr": "Coalition nationale pour l'éducation ({country})",
    "es": "Coalición por el Derecho a la Educación ({country})",
}
ORGANIZATIONS = [
    ("org-education-international-alliance", "Education Solidarity Alliance", "BE"),
    ("org-open-learning-foundation", "Open Learning Foundation", "GB"),
    ("org-literacy-without-borders", "Literacy Without Borders", "FR"),
    ("org-digital-schools-trust", "Digital Schools Trust", "US"),
    ("org-nordic-lifelong-learning", "Nordic Lifelong Learning Institute", "SE"),
]
TITLE = {
    "recording": {
        "en": "Webinar recording: {label} in {place}",
        "fr": "Enregistrement du webinaire : {label} à {place}",
        "es": "Grabación del seminario web: {label} en {place}",
    },
    "video": {
        "en": "Video: {label}, the experience of {place}",
        "fr": "Vidéo : {label}, l'expérience de {place}",
        "es": "Video: {label}, la experiencia de {place}",
    },
    "publication": {
        "en": "{label}: lessons from {place}",
        "fr": "{label} : les enseignements de {place}",
        "es": "{label}: lecciones de {place}",
    },
    "learning_module": {"en": "Learning module: {label}", "fr": "Module d'apprentissage : {label}", "es": "Módulo de aprendizaje: {label}"},
    "mooc": {
        "en": "MOOC: {label} for local governments",
        "fr": "MOOC : {label} pour les collectivités locales",
        "es": "MOOC: {label} para gobiernos locales",
    },
    "discussion": {
        "en": "Community of learning discussion: {label}",
        "fr": "Discussion de la communauté d'apprentissage : {label}",
        "es": "Debate de la comunidad de aprendizaje: {label}",
    },
    "event": {
        "en": "Peer exchange visit on {label} in {place}",
        "fr": "Échange entre pairs sur {label} à {place}",
        "es": "Intercambio entre pares sobre {label} en {place}",
    },
}
FRAMING = {
    "recording": {
        "en": "This recorded webinar presents the practice of {place}.",
        "fr": "Ce webinaire enregistré présente la pratique de {place}.",
        "es": "Este seminario web grabado presenta la práctica de {place}.",
    },
    "video": {
        "en": "A short video with practitioners from {place}.",
        "fr": "Une courte vidéo avec des praticiens de {place}.",
        "es": "Un video corto con profesionales de {place}.",
    },
    "publication": {
        "en": "This case study documents what {place} did and what it learned.",
        "fr": "Cette étude de cas décrit ce qu'a fait {place} et ce qu'elle en a appris.",
        "es": "Este estudio de caso documenta lo que hizo {place} y lo que aprendió.",
    },
    "learning_module": {
        "en": "A self-paced learning module for practitioners, with exercises based on the work of {place}.",
        "fr": "Un module d'autoformation pour les praticiens, avec des exercices tirés du travail de {place}.",
        "es": "Un módulo de autoaprendizaje para profesionales, con ejercicios basados en el trabajo de {place}.",
    },
    "mooc": {
        "en": "An open online course in six weeks, with case studies from {place}.",
        "fr": "Un cours en ligne ouvert de six semaines, avec des études de cas de {place}.",
        "es": "Un curso en línea abierto de seis semanas, con estudios de caso de {place}.",
    },
    "discussion": {
        "en": "Members of the community of learning discussed the approach of {place}.",
        "fr": "Les membres de la communauté d'apprentissage ont débattu de l'approche de {place}.",
        "es": "Los miembros de la comunidad de aprendizaje debatieron el enfoque de {place}.",
    },
    "event": {
        "en": "A delegation visited {place} to learn from its practice.",
        "fr": "Une délégation s'est rendue à {place} pour apprendre de sa pratique.",
        "es": "Una delegación visitó {place} para aprender de su práctica.",
    },
}
KINDS = list(TITLE)
FIRST_NAMES = {
    "en": ["Amina", "John", "Grace", "Peter", "Mary", "David", "Ruth", "Samuel"],
    "fr": ["Aïssatou", "Jean", "Fatou", "Pierre", "Marie", "Moussa", "Claire", "Ibrahima"],
    "es": ["María", "José", "Lucía", "Carlos", "Ana", "Diego", "Sofía", "Javier"],
}
LAST_NAMES = {
    "en": ["Otieno", "Smith", "Mensah", "Nguyen", "Okafor", "Brown", "Kim", "Walker"],
    "fr": ["Diop", "Martin", "Traoré", "Dubois", "Ndiaye", "Bernard", "Koné", "Lefèvre"],
    "es": ["García", "López", "Rodríguez", "Martínez", "Pérez", "Gómez", "Silva", "Torres"],
}
REP_PROFILE = {
    "en": "{role}. {years} years of experience; leads the city's work on {label}. {fact}",
    "fr": "{role}. {years} ans d'expérience ; pilote le travail de la ville sur {label}. {fact}",
    "es": "{role}. {years} años de experiencia; dirige el trabajo de la ciudad en {label}. {fact}",
}
REP_ROLE = {
    "en": "Head of the lifelong learning department",
    "fr": "Directrice du service de l'apprentissage tout au long de la vie",
    "es": "Jefa del departamento de aprendizaje a lo largo de la vida",
}
# A representative whose profile has nothing to do with education: the GNLC strategy asks
# cities to send people who fit their cluster, so the demo keeps a few who do not.
OFF_TOPIC_REP = {
    "en": "Traffic engineer in the roads department, in charge of bus lanes and parking policy.",
    "fr": "Ingénieur de la circulation au service de la voirie, chargé des couloirs de bus et du stationnement.",
    "es": "Ingeniero de tránsito en el área de vialidad, a cargo de carriles de autobús y estacionamiento.",
}
SEEDS = {
    "gce-learning-hub-discussion-paper": (
        "La CME au-delà de 2022 : partage, apprentissage et engagement des membres",
        ["pme-strategy", "education-financing"],
        "2022-06-01",
    ),
    "global-education-coalition-annual-meeting-2023": (
        "Coalition mondiale pour l'éducation : troisième réunion annuelle",
        ["digital-teachers", "connectivity", "learning-recovery"],
        "2023-03-28",
    ),
    "uclg-learning-forum-briefing-2022": (
        "Note d'information : en route vers le Forum d'apprentissage de CGLU",
        ["sdg-localisation"],
        "2022-02-23",
    ),
    "uclg-learning-forum-report-2019": (
        "Le Forum d'apprentissage de CGLU 2019 : contexte, processus et portée des politiques",
        ["sdg-localisation", "disaster-risk"],
        "2019-11-12",
    ),
    "unesco-gnlc-strategy-2021-2023": (
        "Stratégie du Réseau mondial des villes apprenantes de l'UNESCO 2021-2023",
        ["pme-strategy", "sdg-localisation"],
        "2021-01-01",
    ),
}


def slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())


def read_twin_cities(shared: Path) -> tuple[dict[str, list[str]], set[frozenset[tuple[str, str]]]]:
    cities: dict[str, list[str]] = defaultdict(list)
    ties: set[frozenset[tuple[str, str]]] = set()
    with open(shared / "data" / "twin-cities" / "twin_cities.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            a, b = (row["city1"], row["country1"]), (row["city2"], row["country2"])
            for city, country in (a, b):
                if city not in cities[country]:
                    cities[country].append(city)
            ties.add(frozenset((a, b)))
    return cities, ties


def topic_mix(rng: random.Random, region: str, kind: str) -> tuple[list[DemoTopic], list[DemoTopic]]:
    """Strengths and needs: northern members and organisations offer more, southern need more."""
    north = region == NORTH or kind == "organization"
    n_strengths = rng.choice([3, 3, 4]) if north else rng.choice([1, 2, 2])
    n_needs = rng.choice([0, 1, 1]) if north else rng.choice([2, 2, 3])
    chosen = rng.sample(TOPICS, n_strengths + n_needs)
    return chosen[:n_strengths], chosen[n_strengths:]


def make_members(rng: random.Random, cities: dict[str, list[str]], ties: set) -> list[dict]:
    members: list[dict] = []
    place_of: dict[str, tuple[str, str]] = {}
    by_region: dict[str, list[tuple]] = defaultdict(list)
    for country in COUNTRIES:
        by_region[country[2]].append(country)

    def add(member_id: str, name: str, kind: str, country: tuple, networks: list[str], place: tuple[str, str] | None):
        country_name, code, region, languages, lang = country
        strengths, needs = topic_mix(rng, region, kind)
        clusters = member_clusters(strengths, needs)[: rng.choice([1, 2])]
        topics_text = ", ".join(t.words(lang).label.lower() for t in strengths + needs)
        profile = PROFILE[kind][lang].format(name=name, country=country_name, networks=", ".join(networks), topics=topics_text)
        member = {
            "id": member_id,
            "name": name,
            "kind": kind,
            "country": code,
            "region": region,
            "languages": languages,
            "networks": networks,
            "clusters": [{"cluster": c, "role": "member"} for c in clusters],
            "profile": profile,
            "strengths": [{"text": rng.choice(t.words(lang).facts), "topic": t.id, "level": rng.randint(3, 5)} for t in strengths],
            "needs": [{"text": t.words(lang).need, "topic": t.id, "priority": rng.randint(2, 5)} for t in needs],
            "partners": [],
        }
        if kind == "city" and strengths and rng.random() < 0.45:
            first = rng.choice(FIRST_NAMES[lang])
            person = f"{first} {rng.choice(LAST_NAMES[lang])}"
            if rng.random() < 0.12:
                rep_profile = OFF_TOPIC_REP[lang]
            else:
                topic = strengths[0].words(lang)
                rep_profile = REP_PROFILE[lang].format(
                    role=REP_ROLE[lang], years=rng.randint(5, 25), label=topic.label.lower(), fact=rng.choice(topic.facts)
                )
            member["representative"] = {"name": person, "profile": rep_profile, "languages": [lang]}
        members.append(member)
        if place:
            place_of[member_id] = place

    used: set[tuple[str, str]] = set()
    for region, count in CITIES_PER_REGION.items():
        countries = by_region[region]
        for i in range(count):
            country = countries[i % len(countries)]
            options = [c for c in cities[country[0]] if (c, country[0]) not in used]
            city = rng.choice(options[:40])
            used.add((city, country[0]))
            networks = ["GNLC"] + (["UCLG"] if rng.random() < 0.3 else [])
            add(f"city-{slug(city)}-{country[1].lower()}", city, "city", country, networks, (city, country[0]))
    for country in rng.sample(COUNTRIES, 24):
        options = [c for c in cities[country[0]] if (c, country[0]) not in used]
        city = rng.choice(options[:40])
        used.add((city, country[0]))
        name = LOCAL_GOVERNMENT_NAME[country[4]].format(city=city)
        add(f"lg-{slug(city)}-{country[1].lower()}", name, "local_government", country, ["UCLG"], (city, country[0]))
    for country in COUNTRIES[::1]:
        if len([m for m in members if m["kind"] == "coalition"]) >= 26:
            break
        if rng.random() < 0.62:
            name = COALITION_NAME[country[4]].format(country=country[0])
            add(f"coalition-{country[1].lower()}", name, "coalition", country, ["GCE"], None)
    for member_id, name, code in ORGANIZATIONS:
        country = next((c for c in COUNTRIES if c[1] == code), ("", code, NORTH, ["en", "fr"], "en"))
        add(member_id, name, "organization", (country[0], code, NORTH, ["en", "fr"], "en"), ["GCE", "Global Education Coalition"], None)

    # Existing partners: real twin-city ties between demo members, plus a few coalition ties.
    id_of_place = {place: member_id for member_id, place in place_of.items()}
    for tie in sorted(ties, key=sorted):  # sorted: set order changes with the hash seed
        a, b = sorted(tie) if len(tie) == 2 else (next(iter(tie)),) * 2
        if a in id_of_place and b in id_of_place and a != b:
            _link(members, id_of_place[a], id_of_place[b])
    coalitions = [m["id"] for m in members if m["kind"] in {"coalition", "organization"}]
    for _ in range(12):
        a, b = rng.sample(coalitions, 2)
        _link(members, a, b)
    # One coordinator city per cluster, preferring a member with a strength in that cluster.
    for cluster in CLUSTERS:
        candidates = [m for m in members if m["kind"] == "city" and any(c["cluster"] == cluster for c in m["clusters"])]
        strong = [m for m in candidates if any(_cluster_of(s["topic"]) == cluster for s in m["strengths"])] or candidates
        coordinator = rng.choice(strong)
        for membership in coordinator["clusters"]:
            if membership["cluster"] == cluster:
                membership["role"] = "coordinator"
    return members


def member_clusters(strengths: list[DemoTopic], needs: list[DemoTopic]) -> list[str]:
    """The clusters a member joins, first the one it has most to bring to and learn from (the GNLC
    strategy: cities join the clusters of « sujets ... qui partagent leurs préoccupations »): a strength
    counts twice a need; ties go to the topic the member states first. Not alphabetical order, which
    put 106 demo members in 'esd' and 6 in 'pme'."""
    weight: dict[str, int] = defaultdict(int)
    first: dict[str, int] = {}
    for position, topic in enumerate([*strengths, *needs]):
        weight[topic.cluster] += 2 if position < len(strengths) else 1
        first.setdefault(topic.cluster, position)
    return sorted(weight, key=lambda cluster: (-weight[cluster], first[cluster]))


def _cluster_of(topic_id: str) -> str:
    return next(t.cluster for t in TOPICS if t.id == topic_id)


def _link(members: list[dict], a: str, b: str) -> None:
    for member in members:
        if member["id"] == a and b not in member["partners"]:
            member["partners"].append(b)
        if member["id"] == b and a not in member["partners"]:
            member["partners"].append(a)


def make_resources(rng: random.Random, members: list[dict]) -> list[dict]:
    resources: list[dict] = []
    language_of = {c[1]: c[4] for c in COUNTRIES}
    for topic in TOPICS:
        holders = [m for m in members if any(s["topic"] == topic.id for s in m["strengths"])]
        for n in range(15):
            lang = ("en", "fr", "es")[n % 3]
            kind = KINDS[(n + TOPICS.index(topic)) % len(KINDS)]
            same_language = [m for m in holders if language_of.get(m["country"], "en") == lang and m["kind"] != "organization"]
            author = rng.choice(same_language or holders) if (same_language or holders) and rng.random() < 0.8 else None
            place = author["name"] if author else rng.choice(["Nairobi", "Dakar", "Bogotá", "Lyon", "Cork", "Quito"])
            words = topic.words(lang)
            facts = list(words.facts)
            rng.shuffle(facts)
            body = " ".join([FRAMING[kind][lang].format(place=place), *facts[: rng.choice([2, 3])]])
            published = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 7 * 365))
            resource_id = f"res-{topic.id}-{lang}-{n // 3 + 1}"
            resources.append(
                {
                    "id": resource_id,
                    "title": TITLE[kind][lang].format(label=words.label, place=place),
                    "summary": body,
                    "url": f"https://example.org/peermatch-demo/{resource_id}",
                    "kind": kind,
                    "language": lang,
                    "topics": [topic.id],
                    "authors": [author["id"]] if author else [],
                    "published": published.isoformat(),  # JSON holds dates as ISO text
                }
            )
    for name, (title, topics, seed_date) in SEEDS.items():
        text = (DATA / "seeds" / f"{name}.fr.txt").read_text(encoding="utf-8")
        resources.append(
            {
                "id": f"seed-{name}",
                "title": title,
                "text": " ".join(text.split()),
                "kind": "publication",
                "language": "fr",
                "topics": topics,
                "authors": [],
                "published": seed_date,
            }
        )
    return resources


def main(shared: Path) -> None:
    rng = random.Random(SEED)
    cities, ties = read_twin_cities(shared)
    members = make_members(rng, cities, ties)
    resources = make_resources(rng, members)
    for name, rows in (("members", members), ("resources", resources)):
        with open(DATA / f"{name}.jsonl", "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(members)} members, {len(resources)} resources written to {DATA}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared"))
