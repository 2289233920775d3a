"""Extract the console's messages and fill in the French and Spanish translations of issue 25's
messages (ties, income groups, North/South, progress, contacts and answers by link).

    python -m tools.i25_translations
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "service" / "console" / "locales"

FR: dict[str, str] = {}
ES: dict[str, str] = {}


def add(english: str, french: str, spanish: str) -> None:
    FR[english] = french
    ES[english] = spanish


add(
    "%(count)s tied to it (twinning or cooperation), forbidden by the tie policy",
    "%(count)s lié(s) à lui (jumelage ou coopération), exclu(s) par la règle des liens",
    "%(count)s vinculado(s) (hermanamiento o cooperación), excluido(s) por la regla de vínculos",
)
add(
    "mentor %(mentor)s keeps %(forced)s tied pair(s) (tie policy: keep) but can take %(maximum)s",
    "le parrain %(mentor)s garde %(forced)s paire(s) liée(s) (liens : garder) mais peut en prendre %(maximum)s",
    "el padrino %(mentor)s mantiene %(forced)s pareja(s) vinculada(s) (vínculos: mantener) pero puede asumir %(maximum)s",
)
add("Weight of a tie", "Poids d’un lien", "Peso de un vínculo")
add(
    "Weight of mentees in low-income countries",
    "Poids des filleuls des pays à faible revenu",
    "Peso de los apadrinados de países de ingreso bajo",
)
add(
    "Weight of mentees in least developed countries",
    "Poids des filleuls des pays les moins avancés",
    "Peso de los apadrinados de los países menos adelantados",
)
add(
    "Existing ties (twinnings, cooperation agreements)",
    "Liens existants (jumelages, accords de coopération)",
    "Vínculos existentes (hermanamientos, acuerdos de cooperación)",
)
add(
    "ignore (the partners rule above applies)",
    "ignorer (la règle des partenaires ci-dessus s’applique)",
    "ignorar (se aplica la regla de socios de arriba)",
)
add("prefer (build on them)", "préférer (s’appuyer sur eux)", "preferir (apoyarse en ellos)")
add("keep (always pair them)", "garder (toujours les apparier)", "mantener (emparejarlos siempre)")
add("forbid (new partners only)", "interdire (nouveaux partenaires seulement)", "prohibir (solo socios nuevos)")
add(
    "A preferred tie stands even when the two are partners or share no working language, and is kept unless the mentee's other options are better by more than its weight. Income groups: World Bank; least developed countries: UN list.",
    "Un lien préféré tient même si les deux sont déjà partenaires ou n’ont pas de langue de travail commune, et il est gardé sauf si les autres options du filleul sont meilleures de plus que son poids. Groupes de revenu : Banque mondiale ; pays les moins avancés : liste de l’ONU.",
    "Un vínculo preferido se mantiene aunque ambos ya sean socios o no compartan idioma de trabajo, y se conserva salvo que las otras opciones del apadrinado sean mejores en más que su peso. Grupos de ingreso: Banco Mundial; países menos adelantados: lista de la ONU.",
)
add("Existing ties: ignored.", "Liens existants : ignorés.", "Vínculos existentes: ignorados.")
add(
    "Existing ties (%(policy)s): %(kept)s of %(count)s in the cohort kept.",
    "Liens existants (%(policy)s) : %(kept)s sur %(count)s dans la cohorte gardés.",
    "Vínculos existentes (%(policy)s): %(kept)s de %(count)s en la cohorte mantenidos.",
)
add(
    "Mentees by income group (World Bank):",
    "Filleuls par groupe de revenu (Banque mondiale) :",
    "Apadrinados por grupo de ingreso (Banco Mundial):",
)
add("served", "servis", "atendidos")
add(
    "Mentees in least developed countries: %(count)s",
    "Filleuls dans les pays les moins avancés : %(count)s",
    "Apadrinados en países menos adelantados: %(count)s",
)
add(
    "Weights: low income %(low)s, least developed %(ldc)s.",
    "Poids : faible revenu %(low)s, moins avancés %(ldc)s.",
    "Pesos: ingreso bajo %(low)s, menos adelantados %(ldc)s.",
)
add("existing tie", "lien existant", "vínculo existente")
add("high income", "revenu élevé", "ingreso alto")
add("upper middle income", "revenu intermédiaire supérieur", "ingreso mediano alto")
add("lower middle income", "revenu intermédiaire inférieur", "ingreso mediano bajo")
add("low income", "faible revenu", "ingreso bajo")
add("unclassified", "non classé", "sin clasificar")
add("North", "Nord", "Norte")
add("South", "Sud", "Sur")

add("Your answer to a partnership proposal", "Votre réponse à une proposition de partenariat", "Su respuesta a una propuesta de alianza")
add("This link was already used: the answer it carried is recorded. Write to the secretariat to change it.",
    "Ce lien a déjà servi : la réponse qu’il portait est enregistrée. Écrivez au secrétariat pour la changer.",
    "Este enlace ya se usó: la respuesta que llevaba está registrada. Escriba a la secretaría para cambiarla.")
add("This link has expired. The secretariat can send you a new one.", "Ce lien a expiré. Le secrétariat peut vous en envoyer un nouveau.",
    "Este enlace ha caducado. La secretaría puede enviarle uno nuevo.")
add("This link is not one the secretariat sent, or it was cut or altered. Copy the whole link from the email.",
    "Ce lien n’a pas été envoyé par le secrétariat, ou il a été coupé ou modifié. Copiez le lien entier depuis le courriel.",
    "Este enlace no lo envió la secretaría, o se cortó o modificó. Copie el enlace completo del correo.")
add("This proposal can no longer take this answer:", "Cette proposition ne peut plus recevoir cette réponse :", "Esta propuesta ya no admite esta respuesta:")
add("Thank you: %(member)s accepts the partnership with %(partner)s. The secretariat has been told.",
    "Merci : %(member)s accepte le partenariat avec %(partner)s. Le secrétariat en est informé.",
    "Gracias: %(member)s acepta la alianza con %(partner)s. La secretaría ha sido informada.")
add("Thank you: %(member)s declines the partnership with %(partner)s. The secretariat has been told.",
    "Merci : %(member)s décline le partenariat avec %(partner)s. Le secrétariat en est informé.",
    "Gracias: %(member)s rechaza la alianza con %(partner)s. La secretaría ha sido informada.")
add("The secretariat proposes a partnership between %(member)s and %(partner)s.",
    "Le secrétariat propose un partenariat entre %(member)s et %(partner)s.",
    "La secretaría propone una alianza entre %(member)s y %(partner)s.")
add("You answer for %(member)s. This link works once, until %(date)s.",
    "Vous répondez pour %(member)s. Ce lien sert une fois, jusqu’au %(date)s.",
    "Usted responde en nombre de %(member)s. Este enlace sirve una vez, hasta el %(date)s.")
add("Accept the partnership", "Accepter le partenariat", "Aceptar la alianza")
add("Decline", "Décliner", "Rechazar")

add("%(count)s proposals; %(active)s became active (median %(days)s days from proposal); %(outcomes)s closed with an outcome; %(late)s check-ins and %(answers)s answers overdue on %(date)s.",
    "%(count)s propositions ; %(active)s devenues actives (médiane : %(days)s jours après la proposition) ; %(outcomes)s closes avec un résultat ; %(late)s points d’étape et %(answers)s réponses en retard au %(date)s.",
    "%(count)s propuestas; %(active)s llegaron a activas (mediana: %(days)s días desde la propuesta); %(outcomes)s cerradas con un resultado; %(late)s seguimientos y %(answers)s respuestas atrasados al %(date)s.")
add("(none)", "(aucun)", "(ninguno)")
add("All proposals", "Toutes les propositions", "Todas las propuestas")
add("Became active", "Devenues actives", "Llegaron a activas")
add("Days from proposal to active partnership", "Jours de la proposition au partenariat actif", "Días de la propuesta a la alianza activa")
add("Export CSV", "Exporter en CSV", "Exportar CSV")
add("Export Excel (.xlsx)", "Exporter en Excel (.xlsx)", "Exportar Excel (.xlsx)")
add("Group by", "Regrouper par", "Agrupar por")
add("Mean rating", "Note moyenne", "Valoración media")
add("Median days from proposal to active partnership, for each group (the table below gives the numbers)",
    "Jours médians de la proposition au partenariat actif, par groupe (le tableau ci-dessous donne les chiffres)",
    "Días medianos de la propuesta a la alianza activa, por grupo (la tabla de abajo da las cifras)")
add("Median days to active", "Jours médians jusqu’à l’activation", "Días medianos hasta activa")
add("No partnership has become active yet.", "Aucun partenariat n’est encore devenu actif.", "Ninguna alianza ha llegado aún a activa.")
add("Outcomes", "Résultats", "Resultados")
add("Overdue answers", "Réponses en retard", "Respuestas atrasadas")
add("Overdue check-ins", "Points d’étape en retard", "Seguimientos atrasados")
add("Progress", "Progrès", "Progreso")
add("Proposals by group", "Propositions par groupe", "Propuestas por grupo")
add("Proposals by status", "Propositions par statut", "Propuestas por estado")
add("Proposals by status, for each group (the table below gives the numbers)",
    "Propositions par statut, pour chaque groupe (le tableau ci-dessous donne les chiffres)",
    "Propuestas por estado, para cada grupo (la tabla de abajo da las cifras)")
add("Show", "Afficher", "Mostrar")
add("cluster", "groupe thématique", "grupo temático")
add("days", "jours", "días")
add("longest", "la plus longue", "la más larga")
add("median", "médiane", "mediana")
add("network", "réseau", "red")
add("proposals", "propositions", "propuestas")
add("region", "région", "región")
add("Group", "Groupe", "Grupo")

add("North and South", "Nord et Sud", "Norte y Sur")
add("North: members in high-income countries (World Bank classification, shipped with peermatch) or that declare they work in the North; South: all others. %(north)s members in the North, %(south)s in the South. Open a number to see the members; from a need, pair them.",
    "Nord : les membres des pays à revenu élevé (classification de la Banque mondiale, fournie avec peermatch) ou qui déclarent travailler au Nord ; Sud : tous les autres. %(north)s membres au Nord, %(south)s au Sud. Ouvrez un nombre pour voir les membres ; depuis un besoin, appariez-les.",
    "Norte: los miembros de países de ingreso alto (clasificación del Banco Mundial, incluida en peermatch) o que declaran trabajar en el Norte; Sur: todos los demás. %(north)s miembros en el Norte, %(south)s en el Sur. Abra un número para ver los miembros; desde una necesidad, emparéjelos.")
add("Pair these", "Apparier ces membres", "Emparejar a estos miembros")
add("These members as mentees, the members offering this topic as mentors: the pairing form opens filled in, to check and run.",
    "Ces membres comme filleuls, ceux qui offrent ce thème comme parrains : le formulaire d’appariement s’ouvre rempli, à vérifier puis lancer.",
    "Estos miembros como apadrinados, los que ofrecen este tema como padrinos: el formulario de emparejamiento se abre relleno, para revisar y ejecutar.")
add("with the %(count)s offering it in the %(side)s", "avec les %(count)s qui l’offrent au %(side)s", "con los %(count)s que lo ofrecen en el %(side)s")
add("with the %(count)s offering it in %(region)s", "avec les %(count)s qui l’offrent en %(region)s", "con los %(count)s que lo ofrecen en %(region)s")
add("%(mentees)s members needing this topic as mentees, %(mentors)s members offering it as mentors: check the settings, then run.",
    "%(mentees)s membres qui ont besoin de ce thème comme filleuls, %(mentors)s qui l’offrent comme parrains : vérifiez les réglages, puis lancez.",
    "%(mentees)s miembros que necesitan este tema como apadrinados, %(mentors)s que lo ofrecen como padrinos: revise los ajustes y ejecute.")

add("candidate city", "ville candidate", "ciudad candidata")
add("applied", "candidature déposée", "solicitud presentada")
add("supported", "soutenue", "respaldada")
add("joined", "membre", "miembro")
add("no joining step recorded yet", "aucune étape d’adhésion enregistrée", "ningún paso de adhesión registrado aún")
add("Existing ties:", "Liens existants :", "Vínculos existentes:")
add("twinning", "jumelage", "hermanamiento")
add("cooperation agreement", "accord de coopération", "acuerdo de cooperación")

add("Check-in overdue: it was due on %(date)s.", "Point d’étape en retard : il était prévu le %(date)s.", "Seguimiento atrasado: estaba previsto para el %(date)s.")
add("Answers overdue: approved over two weeks ago, a side has not answered.",
    "Réponses en retard : approuvée il y a plus de deux semaines, une partie n’a pas répondu.",
    "Respuestas atrasadas: aprobada hace más de dos semanas, una de las partes no ha respondido.")
add("Next check-in due", "Prochain point d’étape prévu", "Próximo seguimiento previsto")
add("Next check-in due (optional)", "Prochain point d’étape prévu (facultatif)", "Próximo seguimiento previsto (opcional)")
add("Set the due date (reminders go out from that day)", "Fixer la date (les rappels partent à partir de ce jour)", "Fijar la fecha (los recordatorios salen desde ese día)")


def main() -> None:
    pot = LOCALES / "messages.pot"
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [
            str(bin_dir / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "plain",
            "-k",
            "ngettext:1,2",
            "--no-location",
            "--sort-output",
            "--project",
            "peermatch",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [str(bin_dir / "pybabel"), "update", "--no-fuzzy-matching", "-i", str(pot), "-d", str(LOCALES)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    for language, table in (("fr", FR), ("es", ES)):
        path = LOCALES / language / "LC_MESSAGES" / "messages.po"
        with open(path, "rb") as handle:
            catalogue = read_po(handle, locale=language)
        missing = []
        for message in catalogue:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in table:
                message.string = table[key] if isinstance(message.id, str) else (table[key], table[key])
            if not message.string or (isinstance(message.string, tuple) and not all(message.string)):
                missing.append(key)
        with open(path, "wb") as handle:
            write_po(handle, catalogue, width=120, omit_header=False)
        print(f"{language}: {len(missing)} untranslated", *missing[:20], sep="\n  ")


if __name__ == "__main__":
    main()
