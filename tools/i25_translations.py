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
    "le mentor %(mentor)s garde %(forced)s paire(s) liée(s) (liens : garder) mais peut en prendre %(maximum)s",
    "el mentor %(mentor)s mantiene %(forced)s pareja(s) vinculada(s) (vínculos: mantener) pero puede asumir %(maximum)s",
)
add("Weight of a tie", "Poids d’un lien", "Peso de un vínculo")
add(
    "Weight of mentees in low-income countries",
    "Poids des mentorés des pays à faible revenu",
    "Peso de los mentoreados de países de ingreso bajo",
)
add(
    "Weight of mentees in least developed countries",
    "Poids des mentorés des pays les moins avancés",
    "Peso de los mentoreados de los países menos adelantados",
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
    "Un lien préféré tient même si les deux sont déjà partenaires ou n’ont pas de langue de travail commune, et il est gardé sauf si les autres options du mentoré sont meilleures de plus que son poids. Groupes de revenu : Banque mondiale ; pays les moins avancés : liste de l’ONU.",
    "Un vínculo preferido se mantiene aunque ambos ya sean socios o no compartan idioma de trabajo, y se conserva salvo que las otras opciones del mentoreado sean mejores en más que su peso. Grupos de ingreso: Banco Mundial; países menos adelantados: lista de la ONU.",
)
add("Existing ties: ignored.", "Liens existants : ignorés.", "Vínculos existentes: ignorados.")
add(
    "Existing ties (%(policy)s): %(kept)s of %(count)s in the cohort kept.",
    "Liens existants (%(policy)s) : %(kept)s sur %(count)s dans la cohorte gardés.",
    "Vínculos existentes (%(policy)s): %(kept)s de %(count)s en la cohorte mantenidos.",
)
add(
    "Mentees by income group (World Bank):",
    "Mentorés par groupe de revenu (Banque mondiale) :",
    "Mentoreados por grupo de ingreso (Banco Mundial):",
)
add("served", "servis", "atendidos")
add(
    "Mentees in least developed countries: %(count)s",
    "Mentorés dans les pays les moins avancés : %(count)s",
    "Mentoreados en países menos adelantados: %(count)s",
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
