"""Write ``taxonomy.json``: the topics peermatch ships, with labels and descriptions in EN, FR and ES.

Run: ``python -m tools.make_taxonomy`` (an offline step; the product reads the taxonomy.json it writes). Groups: the GNLC thematic clusters, SDG 4 targets,
the Global Education Coalition's missions, advocacy topics, UCLG's learning themes, and the
practice themes of the demo network (``matcher/demo/topics.py``). Wording is ours.
"""

from __future__ import annotations

import json
from pathlib import Path

import matcher.graph
from matcher.demo.topics import CLUSTERS, TOPICS

# id, group, (en label, en description), (fr label, fr description), (es label, es description)
FRAMEWORKS: list[tuple[str, str, tuple[str, str], tuple[str, str], tuple[str, str]]] = [
    (
        "sdg4-1",
        "SDG 4",
        (
            "Free, equitable, quality primary and secondary education",
            "Target 4.1: all girls and boys complete primary and secondary school.",
        ),
        (
            "Enseignement primaire et secondaire gratuit, équitable et de qualité",
            "Cible 4.1 : toutes les filles et tous les garçons achèvent le primaire et le secondaire.",
        ),
        (
            "Educación primaria y secundaria gratuita, equitativa y de calidad",
            "Meta 4.1: todas las niñas y todos los niños terminan la primaria y la secundaria.",
        ),
    ),
    (
        "sdg4-2",
        "SDG 4",
        ("Early childhood development and pre-primary education", "Target 4.2: quality early childhood care and pre-primary education."),
        (
            "Développement de la petite enfance et éducation préscolaire",
            "Cible 4.2 : protection et éducation de qualité de la petite enfance.",
        ),
        ("Desarrollo de la primera infancia y educación preescolar", "Meta 4.2: atención y educación de calidad en la primera infancia."),
    ),
    (
        "sdg4-3",
        "SDG 4",
        (
            "Technical, vocational and tertiary education",
            "Target 4.3: equal access to affordable technical, vocational and university education.",
        ),
        (
            "Enseignement technique, professionnel et supérieur",
            "Cible 4.3 : accès égal à un enseignement technique, professionnel et universitaire abordable.",
        ),
        (
            "Educación técnica, profesional y superior",
            "Meta 4.3: acceso igualitario a una formación técnica, profesional y universitaria asequible.",
        ),
    ),
    (
        "sdg4-4",
        "SDG 4",
        ("Skills for work", "Target 4.4: youth and adults with technical and vocational skills for employment and entrepreneurship."),
        (
            "Compétences pour l'emploi",
            "Cible 4.4 : jeunes et adultes dotés de compétences techniques et professionnelles pour l'emploi et l'entrepreneuriat.",
        ),
        (
            "Competencias para el trabajo",
            "Meta 4.4: jóvenes y adultos con competencias técnicas y profesionales para el empleo y el emprendimiento.",
        ),
    ),
    (
        "sdg4-5",
        "SDG 4",
        ("Equity and gender equality in education", "Target 4.5: eliminate gender disparities and ensure access for the vulnerable."),
        (
            "Équité et égalité des genres dans l'éducation",
            "Cible 4.5 : éliminer les inégalités entre les sexes et assurer l'accès des personnes vulnérables.",
        ),
        (
            "Equidad e igualdad de género en la educación",
            "Meta 4.5: eliminar las disparidades de género y asegurar el acceso de las personas vulnerables.",
        ),
    ),
    (
        "sdg4-6",
        "SDG 4",
        ("Youth and adult literacy and numeracy", "Target 4.6: all youth and most adults achieve literacy and numeracy."),
        (
            "Alphabétisation et calcul des jeunes et des adultes",
            "Cible 4.6 : tous les jeunes et la plupart des adultes savent lire, écrire et compter.",
        ),
        (
            "Alfabetización y aritmética de jóvenes y adultos",
            "Meta 4.6: todos los jóvenes y la mayoría de los adultos saben leer, escribir y calcular.",
        ),
    ),
    (
        "sdg4-7",
        "SDG 4",
        (
            "Education for sustainable development and global citizenship",
            "Target 4.7: knowledge and skills for sustainable development, human rights, peace and cultural diversity.",
        ),
        (
            "Éducation au développement durable et à la citoyenneté mondiale",
            "Cible 4.7 : connaissances et compétences pour le développement durable, les droits humains, la paix et la diversité culturelle.",
        ),
        (
            "Educación para el desarrollo sostenible y la ciudadanía mundial",
            "Meta 4.7: conocimientos y competencias para el desarrollo sostenible, los derechos humanos, la paz y la diversidad cultural.",
        ),
    ),
    (
        "sdg4-a",
        "SDG 4",
        ("Safe and inclusive learning environments", "Target 4.a: education facilities that are child, disability and gender sensitive."),
        (
            "Environnements d'apprentissage sûrs et inclusifs",
            "Cible 4.a : établissements adaptés aux enfants, aux personnes handicapées et aux deux sexes.",
        ),
        (
            "Entornos de aprendizaje seguros e inclusivos",
            "Meta 4.a: instalaciones educativas adaptadas a la infancia, la discapacidad y el género.",
        ),
    ),
    (
        "sdg4-b",
        "SDG 4",
        ("Scholarships", "Target 4.b: scholarships for students from developing countries."),
        ("Bourses d'études", "Cible 4.b : bourses pour les étudiants des pays en développement."),
        ("Becas", "Meta 4.b: becas para estudiantes de países en desarrollo."),
    ),
    (
        "sdg4-c",
        "SDG 4",
        ("Qualified teachers", "Target 4.c: more qualified teachers, through teacher training and international cooperation."),
        ("Enseignants qualifiés", "Cible 4.c : davantage d'enseignants qualifiés grâce à la formation et à la coopération internationale."),
        ("Docentes calificados", "Meta 4.c: más docentes calificados mediante la formación y la cooperación internacional."),
    ),
    (
        "gec-skills",
        "Global Education Coalition",
        ("Skills", "Mission: skills for employability, life and digital participation."),
        ("Compétences", "Mission : compétences pour l'emploi, la vie et la participation numérique."),
        ("Competencias", "Misión: competencias para la empleabilidad, la vida y la participación digital."),
    ),
    (
        "gec-teachers",
        "Global Education Coalition",
        ("Teachers", "Mission: teacher training and professional development."),
        ("Enseignants", "Mission : formation et développement professionnel des enseignants."),
        ("Docentes", "Misión: formación y desarrollo profesional de los docentes."),
    ),
    (
        "gec-learning-recovery",
        "Global Education Coalition",
        ("Learning recovery", "Mission: recovering learning lost during school closures."),
        ("Récupération des apprentissages", "Mission : rattraper les apprentissages perdus pendant la fermeture des écoles."),
        ("Recuperación de aprendizajes", "Misión: recuperar los aprendizajes perdidos durante el cierre de escuelas."),
    ),
    (
        "gec-gender",
        "Global Education Coalition",
        ("Gender", "Mission: girls' education and gender equality in and through education."),
        ("Genre", "Mission : éducation des filles et égalité des genres dans et par l'éducation."),
        ("Género", "Misión: educación de las niñas e igualdad de género en y mediante la educación."),
    ),
    (
        "gec-connectivity",
        "Global Education Coalition",
        ("School connectivity", "Mission: connecting schools and learners to the internet."),
        ("Connectivité des écoles", "Mission : connecter les écoles et les apprenants à internet."),
        ("Conectividad escolar", "Misión: conectar las escuelas y a los estudiantes a internet."),
    ),
    (
        "gec-digital",
        "Global Education Coalition",
        ("Digital transformation", "Mission: digital transformation of education systems and content."),
        ("Transformation numérique", "Mission : transformation numérique des systèmes et des contenus éducatifs."),
        ("Transformación digital", "Misión: transformación digital de los sistemas y contenidos educativos."),
    ),
    (
        "adv-digital",
        "Advocacy",
        ("Digital advocacy", "Campaigning online and on social media for the right to education."),
        ("Plaidoyer numérique", "Campagnes en ligne et sur les réseaux sociaux pour le droit à l'éducation."),
        ("Incidencia digital", "Campañas en línea y en redes sociales por el derecho a la educación."),
    ),
    (
        "adv-financing",
        "Advocacy",
        ("Education financing", "Advocacy for more and fairer public funding of education, budget tracking and tax justice."),
        (
            "Financement de l'éducation",
            "Plaidoyer pour un financement public de l'éducation plus important et plus juste, suivi budgétaire et justice fiscale.",
        ),
        (
            "Financiamiento de la educación",
            "Incidencia por un financiamiento público mayor y más justo de la educación, seguimiento presupuestario y justicia fiscal.",
        ),
    ),
    (
        "adv-accountability",
        "Advocacy",
        ("Accountability", "Holding governments to account for their education commitments."),
        ("Redevabilité", "Demander des comptes aux gouvernements sur leurs engagements en matière d'éducation."),
        ("Rendición de cuentas", "Exigir cuentas a los gobiernos por sus compromisos educativos."),
    ),
    (
        "uclg-sdg-localisation",
        "UCLG",
        ("SDG localisation", "Local and regional governments aligning plans with the global goals and reporting on them."),
        (
            "Localisation des ODD",
            "Les gouvernements locaux et régionaux alignent leurs plans sur les objectifs mondiaux et en rendent compte.",
        ),
        (
            "Localización de los ODS",
            "Los gobiernos locales y regionales alinean sus planes con los objetivos globales e informan sobre ellos.",
        ),
    ),
    (
        "uclg-drr",
        "UCLG",
        ("Disaster risk reduction (Sendai Framework)", "Preparing cities and residents for floods, earthquakes and other disasters."),
        (
            "Réduction des risques de catastrophe (Cadre de Sendai)",
            "Préparer les villes et les habitants aux inondations, séismes et autres catastrophes.",
        ),
        (
            "Reducción del riesgo de desastres (Marco de Sendai)",
            "Preparar a las ciudades y a los vecinos ante inundaciones, terremotos y otros desastres.",
        ),
    ),
    (
        "uclg-resilience",
        "UCLG",
        ("Resilience", "Cities that withstand and recover from crises, with a perspective of sustainability."),
        ("Résilience", "Des villes qui résistent aux crises et s'en relèvent, dans une perspective de durabilité."),
        ("Resiliencia", "Ciudades que resisten las crisis y se recuperan, con una perspectiva de sostenibilidad."),
    ),
    (
        "uclg-local-finance",
        "UCLG",
        ("Local finance", "Municipal budgets, local revenues and financing of local public services."),
        ("Finances locales", "Budgets municipaux, recettes locales et financement des services publics locaux."),
        ("Finanzas locales", "Presupuestos municipales, ingresos locales y financiamiento de los servicios públicos locales."),
    ),
    (
        "uclg-migration",
        "UCLG",
        ("Migration", "Welcoming and including migrants and refugees in cities."),
        ("Migration", "Accueillir et inclure les migrants et les réfugiés dans les villes."),
        ("Migración", "Acoger e incluir a migrantes y refugiados en las ciudades."),
    ),
    (
        "uclg-housing",
        "UCLG",
        ("Housing", "Adequate and affordable housing and the right to the city."),
        ("Logement", "Un logement convenable et abordable et le droit à la ville."),
        ("Vivienda", "Vivienda adecuada y asequible y el derecho a la ciudad."),
    ),
]
CLUSTER_LABELS = {
    "gced": (
        ("Global citizenship education", "GNLC cluster: peace, intercultural dialogue, human rights and global citizenship."),
        ("Éducation à la citoyenneté mondiale", "Pôle du GNLC : paix, dialogue interculturel, droits humains et citoyenneté mondiale."),
        ("Educación para la ciudadanía mundial", "Grupo del GNLC: paz, diálogo intercultural, derechos humanos y ciudadanía mundial."),
    ),
    "esd": (
        ("Education for sustainable development", "GNLC cluster: climate, environment and sustainability in learning."),
        ("Éducation au développement durable", "Pôle du GNLC : climat, environnement et durabilité dans l'apprentissage."),
        ("Educación para el desarrollo sostenible", "Grupo del GNLC: clima, medio ambiente y sostenibilidad en el aprendizaje."),
    ),
    "health": (
        ("Health and well-being", "GNLC cluster: healthy cities, well-being and lifelong learning for health."),
        ("Santé et bien-être", "Pôle du GNLC : villes en bonne santé, bien-être et apprentissage pour la santé."),
        ("Salud y bienestar", "Grupo del GNLC: ciudades saludables, bienestar y aprendizaje para la salud."),
    ),
    "pme": (
        ("Planning, monitoring and evaluation", "GNLC cluster: learning city strategies, indicators and evaluation."),
        ("Planification, suivi et évaluation", "Pôle du GNLC : stratégies de ville apprenante, indicateurs et évaluation."),
        ("Planificación, seguimiento y evaluación", "Grupo del GNLC: estrategias de ciudad del aprendizaje, indicadores y evaluación."),
    ),
    "inclusion": (
        ("Inclusion: literacy and ICT", "GNLC cluster: literacy, digital skills and inclusion of all learners."),
        ("Inclusion : alphabétisation et TIC", "Pôle du GNLC : alphabétisation, compétences numériques et inclusion de tous."),
        ("Inclusión: alfabetización y TIC", "Grupo del GNLC: alfabetización, competencias digitales e inclusión de todos."),
    ),
}


def taxonomy() -> list[dict[str, object]]:
    topics: list[dict[str, object]] = []
    for cluster_id in CLUSTERS:
        en, fr, es = CLUSTER_LABELS[cluster_id]
        topics.append(_topic(f"cluster-{cluster_id}", "GNLC cluster", en, fr, es, cluster=cluster_id))
    for topic_id, group, en, fr, es in FRAMEWORKS:
        topics.append(_topic(topic_id, group, en, fr, es))
    for t in TOPICS:
        topics.append(
            _topic(
                t.id,
                "Practice theme",
                (t.en.label, t.en.facts[0]),
                (t.fr.label, t.fr.facts[0]),
                (t.es.label, t.es.facts[0]),
                cluster=t.cluster,
            )
        )
    return topics


def _topic(
    topic_id: str, group: str, en: tuple[str, str], fr: tuple[str, str], es: tuple[str, str], cluster: str | None = None
) -> dict[str, object]:
    return {
        "id": topic_id,
        "group": group,
        "cluster": cluster,
        "label": {"en": en[0], "fr": fr[0], "es": es[0]},
        "description": {"en": en[1], "fr": fr[1], "es": es[1]},
    }


if __name__ == "__main__":
    path = Path(matcher.graph.__file__).parent / "taxonomy.json"
    path.write_text(json.dumps({"version": 1, "topics": taxonomy()}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(taxonomy())} topics written to {path}")
