"""The demo network's themes, in English, French and Spanish: what members offer, need and publish.

Written by the peermatch team for the demo; every sentence is ours (licence-clean).
Each topic belongs to one GNLC-style cluster; a resource or a strength about a topic says
what a practice is, a need says what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    label: str
    facts: tuple[str, str, str]
    need: str


@dataclass(frozen=True)
class DemoTopic:
    id: str
    cluster: str
    en: Wording
    fr: Wording
    es: Wording

    def words(self, language: str) -> Wording:
        return {"en": self.en, "fr": self.fr, "es": self.es}[language]


CLUSTERS = {
    "gced": "Global citizenship education",
    "esd": "Education for sustainable development",
    "health": "Health and well-being",
    "pme": "Planning, monitoring and evaluation",
    "inclusion": "Inclusion: literacy and ICT",
}

TOPICS: tuple[DemoTopic, ...] = (
    DemoTopic(
        "esd-curriculum",
        "esd",
        Wording(
            "Climate change education in school curricula",
            (
                "Climate change and biodiversity are taught in every primary and secondary school through a cross-curricular programme.",
                "Pupils carry out energy audits of their own school buildings and present the results to the city council.",
                "Curriculum guides link each subject to the Sustainable Development Goals with ready-to-use lesson plans.",
            ),
            "We need help to integrate climate change and sustainability into the school curriculum.",
        ),
        Wording(
            "L'éducation au changement climatique dans les programmes scolaires",
            (
                "Le changement climatique et la biodiversité sont enseignés dans toutes les écoles primaires et secondaires grâce à un programme transversal.",
                "Les élèves réalisent des audits énergétiques de leurs propres bâtiments scolaires et présentent les résultats au conseil municipal.",
                "Des guides pédagogiques relient chaque matière aux Objectifs de développement durable avec des séquences prêtes à l'emploi.",
            ),
            "Nous avons besoin d'aide pour intégrer le changement climatique et la durabilité dans les programmes scolaires.",
        ),
        Wording(
            "La educación sobre el cambio climático en los planes de estudio",
            (
                "El cambio climático y la biodiversidad se enseñan en todas las escuelas primarias y secundarias mediante un programa transversal.",
                "Los alumnos realizan auditorías energéticas de sus propios edificios escolares y presentan los resultados al concejo municipal.",
                "Las guías curriculares vinculan cada asignatura con los Objetivos de Desarrollo Sostenible con planes de clase listos para usar.",
            ),
            "Necesitamos apoyo para integrar el cambio climático y la sostenibilidad en el plan de estudios escolar.",
        ),
    ),
    DemoTopic(
        "esd-teachers",
        "esd",
        Wording(
            "Training teachers for sustainability",
            (
                "Every year two hundred teachers follow a certified course on teaching sustainable development.",
                "A network of mentor teachers visits schools to coach colleagues on outdoor and project-based learning about the environment.",
                "The teacher training college added a compulsory module on education for sustainable development.",
            ),
            "Our teachers lack training to teach sustainable development and environmental topics.",
        ),
        Wording(
            "Former les enseignants à la durabilité",
            (
                "Chaque année, deux cents enseignants suivent une formation certifiante sur l'enseignement du développement durable.",
                "Un réseau d'enseignants tuteurs accompagne les collègues dans les écoles pour l'apprentissage en plein air et par projets sur l'environnement.",
                "L'école normale a ajouté un module obligatoire d'éducation au développement durable.",
            ),
            "Nos enseignants manquent de formation pour enseigner le développement durable et l'environnement.",
        ),
        Wording(
            "Formar a los docentes en sostenibilidad",
            (
                "Cada año doscientos docentes siguen un curso certificado sobre la enseñanza del desarrollo sostenible.",
                "Una red de docentes mentores visita las escuelas para acompañar a sus colegas en el aprendizaje al aire libre y por proyectos sobre el medio ambiente.",
                "La escuela normal incorporó un módulo obligatorio de educación para el desarrollo sostenible.",
            ),
            "Nuestros docentes carecen de formación para enseñar desarrollo sostenible y temas ambientales.",
        ),
    ),
    DemoTopic(
        "esd-community",
        "esd",
        Wording(
            "Community action for the environment",
            (
                "Neighbourhood associations run community gardens where residents learn composting and urban farming.",
                "Volunteer clean-up days and repair cafés teach residents to reduce waste and reuse materials.",
                "Citizens' climate assemblies give residents a say in the city's environmental action plan.",
            ),
            "We want to mobilise residents and neighbourhood associations in local environmental action.",
        ),
        Wording(
            "L'action communautaire pour l'environnement",
            (
                "Les associations de quartier animent des jardins partagés où les habitants apprennent le compostage et l'agriculture urbaine.",
                "Des journées de nettoyage bénévoles et des ateliers de réparation apprennent aux habitants à réduire et réutiliser leurs déchets.",
                "Des assemblées citoyennes pour le climat donnent aux habitants une voix dans le plan d'action environnemental de la ville.",
            ),
            "Nous voulons mobiliser les habitants et les associations de quartier dans l'action environnementale locale.",
        ),
        Wording(
            "La acción comunitaria por el medio ambiente",
            (
                "Las asociaciones vecinales gestionan huertos comunitarios donde los vecinos aprenden compostaje y agricultura urbana.",
                "Jornadas voluntarias de limpieza y talleres de reparación enseñan a los vecinos a reducir y reutilizar residuos.",
                "Asambleas ciudadanas por el clima dan a los vecinos voz en el plan de acción ambiental de la ciudad.",
            ),
            "Queremos movilizar a los vecinos y las asociaciones barriales en la acción ambiental local.",
        ),
    ),
    DemoTopic(
        "esd-monitoring",
        "esd",
        Wording(
            "Monitoring education for sustainable development",
            (
                "A set of indicators tracks how many schools and learners take part in sustainability education each year.",
                "Surveys of pupils measure changes in environmental knowledge and behaviour over three years.",
                "An annual public report on sustainability education is discussed with schools and civil society.",
            ),
            "We have no way to measure the results of our sustainability education programmes.",
        ),
        Wording(
            "Le suivi de l'éducation au développement durable",
            (
                "Un ensemble d'indicateurs suit chaque année le nombre d'écoles et d'apprenants engagés dans l'éducation à la durabilité.",
                "Des enquêtes auprès des élèves mesurent l'évolution des connaissances et des comportements environnementaux sur trois ans.",
                "Un rapport public annuel sur l'éducation à la durabilité est discuté avec les écoles et la société civile.",
            ),
            "Nous n'avons aucun moyen de mesurer les résultats de nos programmes d'éducation au développement durable.",
        ),
        Wording(
            "El seguimiento de la educación para el desarrollo sostenible",
            (
                "Un conjunto de indicadores registra cada año cuántas escuelas y estudiantes participan en la educación para la sostenibilidad.",
                "Encuestas a los alumnos miden los cambios en conocimientos y comportamientos ambientales durante tres años.",
                "Un informe público anual sobre educación para la sostenibilidad se discute con las escuelas y la sociedad civil.",
            ),
            "No tenemos forma de medir los resultados de nuestros programas de educación para el desarrollo sostenible.",
        ),
    ),
    DemoTopic(
        "gced-peace",
        "gced",
        Wording(
            "Peace education and intercultural dialogue",
            (
                "Youth exchanges bring together young people from different communities to work on joint projects.",
                "Schools use a peace education programme that teaches conflict resolution and respect for diversity.",
                "Intercultural festivals and dialogue circles help residents of many origins learn from each other.",
            ),
            "We need approaches to teach young people conflict resolution and respect for cultural diversity.",
        ),
        Wording(
            "L'éducation à la paix et le dialogue interculturel",
            (
                "Des échanges de jeunes réunissent des jeunes de différentes communautés autour de projets communs.",
                "Les écoles appliquent un programme d'éducation à la paix qui enseigne la résolution des conflits et le respect de la diversité.",
                "Des festivals interculturels et des cercles de dialogue aident les habitants de toutes origines à apprendre les uns des autres.",
            ),
            "Nous avons besoin d'approches pour enseigner aux jeunes la résolution des conflits et le respect de la diversité culturelle.",
        ),
        Wording(
            "La educación para la paz y el diálogo intercultural",
            (
                "Intercambios juveniles reúnen a jóvenes de distintas comunidades en proyectos conjuntos.",
                "Las escuelas aplican un programa de educación para la paz que enseña la resolución de conflictos y el respeto a la diversidad.",
                "Festivales interculturales y círculos de diálogo ayudan a vecinos de muchos orígenes a aprender unos de otros.",
            ),
            "Necesitamos enfoques para enseñar a los jóvenes la resolución de conflictos y el respeto a la diversidad cultural.",
        ),
    ),
    DemoTopic(
        "gced-migrants",
        "gced",
        Wording(
            "Learning for migrants and refugees",
            (
                "Free language courses and civic orientation help newly arrived migrants and refugees settle in the city.",
                "Recognition of prior learning lets refugees have their qualifications and skills validated.",
                "Mentoring pairs volunteers with migrant families to support children's schooling.",
            ),
            "We need to include newly arrived migrants and refugees in education and training.",
        ),
        Wording(
            "L'apprentissage pour les migrants et les réfugiés",
            (
                "Des cours de langue gratuits et une orientation civique aident les migrants et réfugiés nouvellement arrivés à s'installer dans la ville.",
                "La reconnaissance des acquis permet aux réfugiés de faire valider leurs qualifications et leurs compétences.",
                "Un mentorat associe des bénévoles à des familles migrantes pour soutenir la scolarité des enfants.",
            ),
            "Nous devons inclure les migrants et les réfugiés nouvellement arrivés dans l'éducation et la formation.",
        ),
        Wording(
            "El aprendizaje para migrantes y refugiados",
            (
                "Cursos de idioma gratuitos y orientación cívica ayudan a los migrantes y refugiados recién llegados a establecerse en la ciudad.",
                "El reconocimiento de aprendizajes previos permite a los refugiados validar sus títulos y competencias.",
                "Un programa de mentoría une a voluntarios con familias migrantes para apoyar la escolaridad de los niños.",
            ),
            "Necesitamos incluir a los migrantes y refugiados recién llegados en la educación y la formación.",
        ),
    ),
    DemoTopic(
        "health-ageing",
        "health",
        Wording(
            "Lifelong learning for active ageing",
            (
                "A university of the third age offers older residents courses, walking groups and volunteering opportunities.",
                "Intergenerational programmes pair students with older people to share skills and reduce isolation.",
                "Community centres run health literacy workshops on nutrition, medication and prevention for seniors.",
            ),
            "We need learning programmes that keep older residents active, healthy and connected.",
        ),
        Wording(
            "L'apprentissage tout au long de la vie pour un vieillissement actif",
            (
                "Une université du troisième âge propose aux aînés des cours, des groupes de marche et des activités bénévoles.",
                "Des programmes intergénérationnels associent des étudiants à des personnes âgées pour partager des savoirs et rompre l'isolement.",
                "Les centres communautaires organisent des ateliers de littératie en santé sur la nutrition, les médicaments et la prévention pour les aînés.",
            ),
            "Nous avons besoin de programmes d'apprentissage qui maintiennent les aînés actifs, en bonne santé et reliés aux autres.",
        ),
        Wording(
            "El aprendizaje a lo largo de la vida para un envejecimiento activo",
            (
                "Una universidad de la tercera edad ofrece a los mayores cursos, grupos de caminata y oportunidades de voluntariado.",
                "Programas intergeneracionales unen a estudiantes con personas mayores para compartir saberes y reducir el aislamiento.",
                "Los centros comunitarios organizan talleres de alfabetización en salud sobre nutrición, medicamentos y prevención para mayores.",
            ),
            "Necesitamos programas de aprendizaje que mantengan a los mayores activos, sanos y conectados.",
        ),
    ),
    DemoTopic(
        "health-wellbeing",
        "health",
        Wording(
            "Mental health and well-being of learners",
            (
                "School counsellors and trained teachers detect early signs of stress and anxiety among pupils.",
                "A city-wide campaign teaches young people and parents about mental health and where to find help.",
                "Sport, arts and mindfulness activities after school support the well-being of adolescents.",
            ),
            "We are looking for programmes that support the mental health and well-being of young learners.",
        ),
        Wording(
            "La santé mentale et le bien-être des apprenants",
            (
                "Des conseillers scolaires et des enseignants formés repèrent tôt les signes de stress et d'anxiété chez les élèves.",
                "Une campagne à l'échelle de la ville informe les jeunes et les parents sur la santé mentale et les lieux où trouver de l'aide.",
                "Des activités sportives, artistiques et de pleine conscience après l'école soutiennent le bien-être des adolescents.",
            ),
            "Nous cherchons des programmes qui soutiennent la santé mentale et le bien-être des jeunes apprenants.",
        ),
        Wording(
            "La salud mental y el bienestar de los estudiantes",
            (
                "Orientadores escolares y docentes capacitados detectan a tiempo señales de estrés y ansiedad en los alumnos.",
                "Una campaña en toda la ciudad informa a jóvenes y familias sobre la salud mental y dónde encontrar ayuda.",
                "Actividades deportivas, artísticas y de atención plena después de clase apoyan el bienestar de los adolescentes.",
            ),
            "Buscamos programas que apoyen la salud mental y el bienestar de los jóvenes estudiantes.",
        ),
    ),
    DemoTopic(
        "pme-indicators",
        "pme",
        Wording(
            "Indicators and data for learning cities",
            (
                "The city collects data on participation in learning at all ages and publishes a learning city dashboard.",
                "A household survey every two years measures adult participation in formal and non-formal learning.",
                "Data from libraries, schools and community centres are combined in one monitoring framework.",
            ),
            "We need indicators and data systems to monitor progress as a learning city.",
        ),
        Wording(
            "Les indicateurs et les données des villes apprenantes",
            (
                "La ville recueille des données sur la participation à l'apprentissage à tous les âges et publie un tableau de bord de ville apprenante.",
                "Une enquête auprès des ménages tous les deux ans mesure la participation des adultes à l'apprentissage formel et non formel.",
                "Les données des bibliothèques, des écoles et des centres communautaires sont réunies dans un même cadre de suivi.",
            ),
            "Nous avons besoin d'indicateurs et de systèmes de données pour suivre nos progrès de ville apprenante.",
        ),
        Wording(
            "Los indicadores y datos de las ciudades del aprendizaje",
            (
                "La ciudad recopila datos sobre la participación en el aprendizaje a todas las edades y publica un tablero de ciudad del aprendizaje.",
                "Una encuesta de hogares cada dos años mide la participación de los adultos en el aprendizaje formal y no formal.",
                "Los datos de bibliotecas, escuelas y centros comunitarios se combinan en un único marco de seguimiento.",
            ),
            "Necesitamos indicadores y sistemas de datos para medir nuestros avances como ciudad del aprendizaje.",
        ),
    ),
    DemoTopic(
        "pme-strategy",
        "pme",
        Wording(
            "Designing a lifelong learning strategy",
            (
                "A multi-stakeholder committee drafted the city's lifelong learning strategy with schools, employers and civil society.",
                "The strategy sets targets, a budget and responsibilities for each department over five years.",
                "Public consultations in every district collected residents' priorities for learning.",
            ),
            "We want to design a lifelong learning strategy and an action plan for our city.",
        ),
        Wording(
            "Concevoir une stratégie d'apprentissage tout au long de la vie",
            (
                "Un comité multipartite a rédigé la stratégie d'apprentissage tout au long de la vie de la ville avec les écoles, les employeurs et la société civile.",
                "La stratégie fixe des objectifs, un budget et des responsabilités pour chaque service sur cinq ans.",
                "Des consultations publiques dans chaque quartier ont recueilli les priorités des habitants en matière d'apprentissage.",
            ),
            "Nous voulons concevoir une stratégie d'apprentissage tout au long de la vie et un plan d'action pour notre ville.",
        ),
        Wording(
            "Diseñar una estrategia de aprendizaje a lo largo de la vida",
            (
                "Un comité de múltiples actores redactó la estrategia de aprendizaje a lo largo de la vida con escuelas, empleadores y sociedad civil.",
                "La estrategia fija metas, un presupuesto y responsabilidades para cada área durante cinco años.",
                "Consultas públicas en cada distrito recogieron las prioridades de los vecinos en materia de aprendizaje.",
            ),
            "Queremos diseñar una estrategia de aprendizaje a lo largo de la vida y un plan de acción para nuestra ciudad.",
        ),
    ),
    DemoTopic(
        "literacy-adult",
        "inclusion",
        Wording(
            "Adult literacy programmes",
            (
                "Evening literacy classes in community centres teach reading, writing and numeracy to adults.",
                "Literacy tutors are trained volunteers who use everyday documents such as forms and bills.",
                "Mobile libraries bring books and reading clubs to neighbourhoods with low literacy rates.",
            ),
            "Many adults in our city cannot read or write and we need effective literacy programmes.",
        ),
        Wording(
            "Les programmes d'alphabétisation des adultes",
            (
                "Des cours d'alphabétisation du soir dans les centres communautaires enseignent la lecture, l'écriture et le calcul aux adultes.",
                "Les formateurs en alphabétisation sont des bénévoles formés qui utilisent des documents du quotidien comme les formulaires et les factures.",
                "Des bibliothèques mobiles apportent des livres et des clubs de lecture dans les quartiers où l'alphabétisation est faible.",
            ),
            "Beaucoup d'adultes de notre ville ne savent ni lire ni écrire et nous avons besoin de programmes d'alphabétisation efficaces.",
        ),
        Wording(
            "Los programas de alfabetización de adultos",
            (
                "Clases nocturnas de alfabetización en centros comunitarios enseñan lectura, escritura y cálculo a personas adultas.",
                "Los alfabetizadores son voluntarios capacitados que usan documentos cotidianos como formularios y facturas.",
                "Bibliotecas móviles llevan libros y clubes de lectura a los barrios con bajos niveles de alfabetización.",
            ),
            "Muchos adultos de nuestra ciudad no saben leer ni escribir y necesitamos programas de alfabetización eficaces.",
        ),
    ),
    DemoTopic(
        "digital-teachers",
        "inclusion",
        Wording(
            "Training teachers in digital skills",
            (
                "All teachers follow a digital skills course on using tablets, online platforms and open educational resources in class.",
                "Digital coaches in each school help teachers design blended and online lessons.",
                "A teacher training programme on educational technology was certified by the national ministry.",
            ),
            "Our teachers need training in digital skills and the use of technology in the classroom.",
        ),
        Wording(
            "Former les enseignants au numérique",
            (
                "Tous les enseignants suivent une formation aux compétences numériques sur l'usage des tablettes, des plateformes en ligne et des ressources éducatives libres en classe.",
                "Des référents numériques dans chaque école aident les enseignants à concevoir des cours hybrides et en ligne.",
                "Un programme de formation des enseignants aux technologies éducatives a été certifié par le ministère.",
            ),
            "Nos enseignants ont besoin d'être formés aux compétences numériques et à l'usage des technologies en classe.",
        ),
        Wording(
            "Formar a los docentes en competencias digitales",
            (
                "Todos los docentes siguen un curso de competencias digitales sobre el uso de tabletas, plataformas en línea y recursos educativos abiertos en el aula.",
                "Coordinadores digitales en cada escuela ayudan a los docentes a diseñar clases híbridas y en línea.",
                "Un programa de formación docente en tecnología educativa fue certificado por el ministerio.",
            ),
            "Nuestros docentes necesitan formación en competencias digitales y en el uso de la tecnología en el aula.",
        ),
    ),
    DemoTopic(
        "digital-older",
        "inclusion",
        Wording(
            "Digital literacy for older adults",
            (
                "Free computer workshops in libraries teach older adults to use smartphones, e-mail and online public services.",
                "Young volunteers give one-to-one digital help to seniors in community centres.",
                "A lending scheme provides tablets and internet access to older people living alone.",
            ),
            "Our older residents are left behind by online services and need digital literacy training.",
        ),
        Wording(
            "La littératie numérique des personnes âgées",
            (
                "Des ateliers informatiques gratuits en bibliothèque apprennent aux personnes âgées à utiliser le smartphone, le courriel et les services publics en ligne.",
                "De jeunes bénévoles offrent une aide numérique individuelle aux aînés dans les centres communautaires.",
                "Un dispositif de prêt fournit des tablettes et un accès à internet aux personnes âgées vivant seules.",
            ),
            "Nos aînés sont laissés pour compte par les services en ligne et ont besoin d'une formation à la littératie numérique.",
        ),
        Wording(
            "La alfabetización digital de las personas mayores",
            (
                "Talleres gratuitos de informática en bibliotecas enseñan a las personas mayores a usar el teléfono inteligente, el correo electrónico y los servicios públicos en línea.",
                "Jóvenes voluntarios brindan ayuda digital personalizada a los mayores en centros comunitarios.",
                "Un programa de préstamo ofrece tabletas y acceso a internet a personas mayores que viven solas.",
            ),
            "Nuestros mayores quedan excluidos de los servicios en línea y necesitan formación en alfabetización digital.",
        ),
    ),
    DemoTopic(
        "connectivity",
        "inclusion",
        Wording(
            "School connectivity and the digital divide",
            (
                "Every public school was connected to broadband internet through a partnership with telecom operators.",
                "Community wifi points and device libraries give low-income families access to online learning.",
                "A mapping of school connectivity guides investment to rural and poor districts first.",
            ),
            "Our schools and learners lack internet connectivity and devices for online learning.",
        ),
        Wording(
            "La connectivité des écoles et la fracture numérique",
            (
                "Toutes les écoles publiques ont été raccordées à l'internet haut débit grâce à un partenariat avec les opérateurs de télécommunications.",
                "Des points wifi communautaires et des prêts d'appareils donnent aux familles modestes accès à l'apprentissage en ligne.",
                "Une cartographie de la connectivité des écoles oriente les investissements d'abord vers les zones rurales et pauvres.",
            ),
            "Nos écoles et nos apprenants manquent de connexion internet et d'appareils pour l'apprentissage en ligne.",
        ),
        Wording(
            "La conectividad escolar y la brecha digital",
            (
                "Todas las escuelas públicas se conectaron a internet de banda ancha gracias a una alianza con los operadores de telecomunicaciones.",
                "Puntos de wifi comunitarios y préstamo de dispositivos dan a las familias de bajos ingresos acceso al aprendizaje en línea.",
                "Un mapeo de la conectividad escolar orienta la inversión primero hacia las zonas rurales y pobres.",
            ),
            "Nuestras escuelas y estudiantes carecen de conexión a internet y de dispositivos para aprender en línea.",
        ),
    ),
    DemoTopic(
        "education-financing",
        "gced",
        Wording(
            "Advocacy for education financing",
            (
                "The coalition analyses the national education budget every year and publishes a citizens' budget brief.",
                "Campaigns with parliamentarians secured an increase of the education share of public spending.",
                "Training sessions teach civil society members to track education spending and tax justice.",
            ),
            "We need skills to analyse education budgets and advocate for more public funding.",
        ),
        Wording(
            "Le plaidoyer pour le financement de l'éducation",
            (
                "La coalition analyse chaque année le budget national de l'éducation et publie une note budgétaire citoyenne.",
                "Des campagnes auprès des parlementaires ont obtenu une hausse de la part de l'éducation dans les dépenses publiques.",
                "Des formations apprennent aux membres de la société civile à suivre les dépenses d'éducation et la justice fiscale.",
            ),
            "Nous avons besoin de compétences pour analyser les budgets de l'éducation et plaider pour davantage de financement public.",
        ),
        Wording(
            "La incidencia para el financiamiento de la educación",
            (
                "La coalición analiza cada año el presupuesto nacional de educación y publica un resumen presupuestario ciudadano.",
                "Campañas con parlamentarios lograron aumentar la proporción del gasto público destinada a la educación.",
                "Talleres enseñan a la sociedad civil a dar seguimiento al gasto educativo y a la justicia fiscal.",
            ),
            "Necesitamos capacidades para analizar presupuestos educativos e incidir por más financiamiento público.",
        ),
    ),
    DemoTopic(
        "gender",
        "gced",
        Wording(
            "Girls' education and gender equality",
            (
                "Scholarships and mentoring keep adolescent girls in secondary school.",
                "Teachers are trained to remove gender stereotypes from teaching materials and classroom practice.",
                "Community dialogues with parents and religious leaders address early marriage and school dropout.",
            ),
            "Too many girls leave school early and we need strategies for gender equality in education.",
        ),
        Wording(
            "L'éducation des filles et l'égalité de genre",
            (
                "Des bourses et un mentorat maintiennent les adolescentes à l'école secondaire.",
                "Les enseignants sont formés à supprimer les stéréotypes de genre des manuels et des pratiques de classe.",
                "Des dialogues communautaires avec les parents et les chefs religieux traitent du mariage précoce et de l'abandon scolaire.",
            ),
            "Trop de filles quittent l'école tôt et nous avons besoin de stratégies pour l'égalité de genre dans l'éducation.",
        ),
        Wording(
            "La educación de las niñas y la igualdad de género",
            (
                "Becas y mentorías mantienen a las adolescentes en la escuela secundaria.",
                "Se capacita a los docentes para eliminar los estereotipos de género de los materiales y de las prácticas en el aula.",
                "Diálogos comunitarios con madres, padres y líderes religiosos abordan el matrimonio infantil y el abandono escolar.",
            ),
            "Demasiadas niñas abandonan la escuela temprano y necesitamos estrategias de igualdad de género en la educación.",
        ),
    ),
    DemoTopic(
        "learning-recovery",
        "pme",
        Wording(
            "Learning recovery after school closures",
            (
                "Catch-up classes in small groups helped pupils recover reading and mathematics after the pandemic.",
                "Rapid learning assessments identify which pupils fell behind and need remedial support.",
                "Radio and television lessons kept children learning while schools were closed.",
            ),
            "Our pupils lost a lot of learning during school closures and we need recovery programmes.",
        ),
        Wording(
            "La récupération des apprentissages après la fermeture des écoles",
            (
                "Des cours de rattrapage en petits groupes ont aidé les élèves à récupérer en lecture et en mathématiques après la pandémie.",
                "Des évaluations rapides des acquis identifient les élèves en retard qui ont besoin d'un soutien de remédiation.",
                "Des cours à la radio et à la télévision ont permis aux enfants de continuer à apprendre pendant la fermeture des écoles.",
            ),
            "Nos élèves ont perdu beaucoup d'apprentissages pendant la fermeture des écoles et nous avons besoin de programmes de rattrapage.",
        ),
        Wording(
            "La recuperación de aprendizajes tras el cierre de escuelas",
            (
                "Clases de nivelación en grupos pequeños ayudaron a los alumnos a recuperar lectura y matemáticas después de la pandemia.",
                "Evaluaciones rápidas de aprendizaje identifican a los alumnos rezagados que necesitan apoyo de refuerzo.",
                "Clases por radio y televisión permitieron que los niños siguieran aprendiendo mientras las escuelas estaban cerradas.",
            ),
            "Nuestros alumnos perdieron muchos aprendizajes durante el cierre de escuelas y necesitamos programas de recuperación.",
        ),
    ),
    DemoTopic(
        "sdg-localisation",
        "pme",
        Wording(
            "Localising the Sustainable Development Goals",
            (
                "The city aligned its development plan with the SDGs and reports on them in a voluntary local review.",
                "Training for municipal staff explains how each department contributes to the global goals.",
                "Neighbourhood workshops translate the SDGs into local priorities with residents.",
            ),
            "We need to align our local plans with the Sustainable Development Goals and report on them.",
        ),
        Wording(
            "La localisation des Objectifs de développement durable",
            (
                "La ville a aligné son plan de développement sur les ODD et en rend compte dans un examen local volontaire.",
                "Une formation du personnel municipal explique comment chaque service contribue aux objectifs mondiaux.",
                "Des ateliers de quartier traduisent les ODD en priorités locales avec les habitants.",
            ),
            "Nous devons aligner nos plans locaux sur les Objectifs de développement durable et en rendre compte.",
        ),
        Wording(
            "La localización de los Objetivos de Desarrollo Sostenible",
            (
                "La ciudad alineó su plan de desarrollo con los ODS e informa sobre ellos en un informe local voluntario.",
                "La capacitación del personal municipal explica cómo cada área contribuye a los objetivos globales.",
                "Talleres barriales traducen los ODS en prioridades locales junto con los vecinos.",
            ),
            "Necesitamos alinear nuestros planes locales con los Objetivos de Desarrollo Sostenible e informar sobre ellos.",
        ),
    ),
    DemoTopic(
        "disaster-risk",
        "esd",
        Wording(
            "Disaster risk reduction and resilience",
            (
                "Schools hold evacuation drills and teach children what to do in floods and earthquakes.",
                "The city trained neighbourhood volunteers in first aid and early warning under the Sendai Framework.",
                "Risk maps drawn with residents guide where to build schools and shelters.",
            ),
            "Our city is exposed to floods and we need to prepare residents and schools for disasters.",
        ),
        Wording(
            "La réduction des risques de catastrophe et la résilience",
            (
                "Les écoles organisent des exercices d'évacuation et apprennent aux enfants quoi faire en cas d'inondation ou de séisme.",
                "La ville a formé des volontaires de quartier aux premiers secours et à l'alerte précoce dans le cadre de Sendai.",
                "Des cartes des risques dessinées avec les habitants guident l'implantation des écoles et des abris.",
            ),
            "Notre ville est exposée aux inondations et nous devons préparer les habitants et les écoles aux catastrophes.",
        ),
        Wording(
            "La reducción del riesgo de desastres y la resiliencia",
            (
                "Las escuelas realizan simulacros de evacuación y enseñan a los niños qué hacer ante inundaciones y terremotos.",
                "La ciudad capacitó a voluntarios barriales en primeros auxilios y alerta temprana en el marco de Sendai.",
                "Mapas de riesgo elaborados con los vecinos orientan dónde construir escuelas y refugios.",
            ),
            "Nuestra ciudad está expuesta a inundaciones y necesitamos preparar a los vecinos y las escuelas ante desastres.",
        ),
    ),
    DemoTopic(
        "youth-skills",
        "inclusion",
        Wording(
            "Skills for youth employment",
            (
                "Apprenticeships with local employers give young people practical skills and a first job.",
                "A youth skills centre offers short courses in trades, entrepreneurship and digital jobs.",
                "Career guidance in secondary schools connects pupils with vocational training options.",
            ),
            "Youth unemployment is high and we need technical and vocational training that leads to jobs.",
        ),
        Wording(
            "Les compétences pour l'emploi des jeunes",
            (
                "Des apprentissages chez les employeurs locaux donnent aux jeunes des compétences pratiques et un premier emploi.",
                "Un centre de compétences pour les jeunes propose des formations courtes aux métiers, à l'entrepreneuriat et aux emplois numériques.",
                "L'orientation professionnelle au secondaire relie les élèves aux filières de formation professionnelle.",
            ),
            "Le chômage des jeunes est élevé et nous avons besoin d'une formation technique et professionnelle qui mène à l'emploi.",
        ),
        Wording(
            "Las competencias para el empleo juvenil",
            (
                "Aprendizajes con empleadores locales dan a los jóvenes habilidades prácticas y un primer empleo.",
                "Un centro de competencias juveniles ofrece cursos cortos de oficios, emprendimiento y empleos digitales.",
                "La orientación vocacional en la secundaria conecta a los alumnos con opciones de formación técnica.",
            ),
            "El desempleo juvenil es alto y necesitamos formación técnica y profesional que lleve al empleo.",
        ),
    ),
)

TOPIC_BY_ID = {topic.id: topic for topic in TOPICS}
