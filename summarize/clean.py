"""Turn scraped news-article text into clean body paragraphs plus metadata, recording everything removed."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["RULES", "Cleaned", "Dropped", "clean_text", "paragraphs"]


@dataclass(frozen=True)
class Dropped:
    """A piece of the input removed from the body: its 1-based start line, stripped text and rule name."""

    line: int
    text: str
    rule: str


@dataclass(frozen=True)
class Cleaned:
    """The cleaned body (paragraphs joined by blank lines), its metadata and a report of drops and repairs."""

    text: str
    title: str | None
    author: str | None
    published: str | None
    url: str | None
    site_name: str | None
    dropped: tuple[Dropped, ...]
    fixes: tuple[str, ...]


RULES: dict[str, str] = {
    "debris": "scraper debris: lone UI words, punctuation-only lines, reader-mode widgets, server error messages",
    "newsletter": "newsletter sign-up, consent and app-download blurbs",
    "related": "related-stories headings and 'read also' link lines",
    "caption": "image captions and photo-credit lines",
    "paywall": "subscription, paywall and support-our-journalism promos",
    "correction_prompt": "prompts inviting readers to report an error (not editorial correction notices)",
    "syndication": "syndication footer lines (source link, author, publish date, copyright, tags), kept as metadata",
    "byline": "whole-line bylines and publication-date lines, kept as metadata",
    "title_repeat": "the article title repeated later in the text",
    "duplicate": "exact (whitespace/quote-normalised) repeat of an earlier paragraph",
    "recap": "trailing bullet list restating what the article already said",
}


# --------------------------------------------------------------------------- text normalisation

# Matching runs on a folded copy (no accents, straight quotes, casefolded, single spaces) so one
# pattern covers "À lire aussi", "A LIRE AUSSI" and "a lire aussi"; output text is never folded.
_FOLD_MAP: dict[str, str] = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"', "\u201e": '"', "\u2039": '"', "\u203a": '"',
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u200b": "",
    "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
}
# A regex finds the few characters to map; str.translate is slow on non-ASCII text.
_FOLD_CHARS = re.compile("[" + re.escape("".join(_FOLD_MAP)) + "]")
_COMBINING = re.compile("[\u0300-\u036f]+")
# Control characters are scraper noise; turning them into spaces never adds visible characters.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f\ufeff\ufffe\uffff]")


def _fold(text: str) -> str:
    text = _FOLD_CHARS.sub(lambda m: _FOLD_MAP[m.group()], text)
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(text.casefold().split())


_QUOTES_RE = re.compile("[\"']")


def _dedup_key(folded: str) -> str:
    return " ".join(_QUOTES_RE.sub(" ", folded).split())


@dataclass(frozen=True)
class _Family:
    """Regexes of one rule family, each gated by literal needles one of which any of its matches contains."""

    always: tuple[re.Pattern[str], ...]
    gated: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...]
    needles: tuple[str, ...]


def _any(family: _Family, text: str) -> bool:
    for rx in family.always:
        if rx.search(text):
            return True
    # Substring tests are much cheaper than trying each regex at every position of long prose.
    for needle in family.needles:
        if needle in text:
            break
    else:
        return False
    for needles, rx in family.gated:
        if any(n in text for n in needles) and rx.search(text):
            return True
    return False


def _compile(*specs: tuple[str, str]) -> _Family:
    """A family from (needles, regex) pairs; needles are "|"-separated literals, "" for an always-run regex."""
    always, gated, needles_all = [], [], []
    for needles, rx in specs:
        words = tuple(n for n in needles.split("|") if n)
        if words:
            gated.append((words, re.compile(rx)))
            needles_all += [w for w in words if w not in needles_all]
        else:
            always.append(re.compile(rx))
    return _Family(tuple(always), tuple(gated), tuple(needles_all))


# --------------------------------------------------------------------------- dates

_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "juin": 6, "jun": 6, "june": 6,
    "juillet": 7, "juil": 7, "jul": 7, "july": 7,
    "aout": 8, "aug": 8, "august": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
# Each family yields (year, month, day) group indexes; dates are searched in folded text.
_DATE_FAMILIES = (
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?![\d-])"), (1, 2, 3)),
    (re.compile(r"(?<!\d)(\d{1,2})(?:er|st|nd|rd|th)?\s" + _MONTH + r",?\s(\d{4})(?!\d)"), (3, 2, 1)),
    (re.compile(r"\b" + _MONTH + r"\s(\d{1,2})(?:st|nd|rd|th)?,?\s(\d{4})(?!\d)"), (3, 1, 2)),
    (re.compile(r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)"), (3, 2, 1)),
    (re.compile(r"\b" + _MONTH + r",?\s(\d{4})(?!\d)"), (2, 1, None)),
)
_YEAR_ONLY = re.compile(r"(?<!\d)((?:19|20)\d{2})(?![\d-])")
_TIME = re.compile(
    r"(?:\s?(?:,|a|at|-|\||@|t)?\s?)(\d{1,2})(?:\s?(?:h|:)\s?(\d{2})(?::(\d{2}))?|\s?h\b)(?:\s?([ap])\.?\s?m\b\.?)?"
    r"(?:\s?(?:z\b|[+-]\d{2}:?\d{2}\b))?"
)
_DATE_WORDS = re.compile(
    r"\b(?:publie|publiee|publication|date|de|du|le|la|mis|mise|en|ligne|a|jour|modifie|modifiee|actualise|"
    r"actualisee|maj|posted|published|publish|updated|update|last|on|at|et|and|h|heure|heures|utc|gmt|cet|cest|"
    r"est|edt|pst|pdt|bst|cst|ct|et|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun)\b"
)
_PUBLISH_LABEL = re.compile(r"\b(?:publie|publiee|publication|posted|published|publish|mis en ligne|date)\b")
_UPDATE_LABEL = re.compile(r"\b(?:mis a jour|mise a jour|modifie|modifiee|actualise|actualisee|maj|updated|update)\b")
_DATE_LABEL_START = re.compile(
    r"^(?:publie|publiee|published|posted|mis en ligne|mis a jour|mise a jour|updated|last updated|"
    r"actualise|modifie|date de publication|publication)\b"
)
_PUNCT_ONLY = re.compile(r"[\W_]*")
_TIMEZONE = re.compile(r"\b(?:gmt|utc)\s?[+-]\s?\d{1,2}(?::?\d{2})?\b")
_RELATIVE = re.compile(
    r"\b(?:aujourd'hui|hier|avant-hier|today|yesterday|just now|a l'instant|"
    r"il y a \d+ ?(?:s|sec|secondes?|min|minutes?|h|heures?|jours?)|"
    r"\d+ ?(?:s|sec|seconds?|min|mins|minutes?|h|hrs?|hours?|days?) ago)(?!\w)"
)
_CREDIT = re.compile(
    r"^(?:(?:additional )?reporting|writing|editing|compiled|research|graphics|translated|"
    r"avec la contribution de|traduit|traduction) (?:by |par )?"
)
_AGENCY = re.compile(
    r"^(?:(?P<site>[^\W\d][\w'. -]{1,40}) )?(?:avec|with|and|et) (?:l')?"
    r"(?:afp|reuters|ap|associated press|bloomberg|dpa|ansa|efe|belga|ats|apa)\.?$|^\(?(?:afp|reuters|ap)\)?$"
)
_DIGIT = re.compile(r"\d")


def _valid_iso(y: int, m: int | None, d: int | None, time: tuple[int, int, int] | None) -> str | None:
    if not 1900 <= y <= 2100:
        return None
    if m is None:
        return f"{y:04d}"
    if not 1 <= m <= 12:
        return None
    if d is None:
        return f"{y:04d}-{m:02d}"
    try:
        datetime.date(y, m, d)
    except ValueError:
        return None
    if time is None:
        return f"{y:04d}-{m:02d}-{d:02d}"
    hh, mm, ss = time
    if hh > 23 or mm > 59 or ss > 59:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}"


def _num(value: str | None) -> int | None:
    if value is None:
        return None
    if value in _MONTHS:
        return _MONTHS[value]
    try:
        return int(value)
    except ValueError:
        return None


def _find_date(folded: str, allow_year: bool = False) -> tuple[str, int, int] | None:
    """Earliest valid date in folded text as (iso, start, end); end includes a following time of day."""
    best: tuple[str, int, int] | None = None
    for pattern, (yi, mi, di) in _DATE_FAMILIES:
        for match in pattern.finditer(folded):
            if best is not None and match.start() >= best[1]:
                break
            y, m = _num(match.group(yi)), _num(match.group(mi))
            d = _num(match.group(di)) if di else None
            if pattern is _DATE_FAMILIES[3][0] and m is not None and d is not None and m > 12 >= d:
                m, d = d, m  # US month/day order, unambiguous only when the "month" cannot be one
            if y is None:
                continue
            end = match.end()
            time = None
            if d is not None:
                t = _TIME.match(folded, end)
                if t and (t.group(1) is not None):
                    hh = int(t.group(1))
                    mm = int(t.group(2) or 0)
                    ss = int(t.group(3) or 0)
                    if t.group(4) == "p" and hh < 12:
                        hh += 12
                    elif t.group(4) == "a" and hh == 12:
                        hh = 0
                    time = (hh, mm, ss)
                    end = t.end()
            iso = _valid_iso(y, m, d, time)
            if iso is not None:
                best = (iso, match.start(), end)
                break
    if best is None and allow_year:
        year = _YEAR_ONLY.search(folded)
        if year:
            best = (year.group(1), year.start(), year.end())
    return best


def _date_line(folded: str) -> tuple[str, int] | None:
    """(iso, priority) when the whole line is publication/update dates with only labels around them."""
    found = _find_date(folded) if _DIGIT.search(folded) else None
    if found is None:
        return None
    iso, start, end = found
    residue = _RELATIVE.sub(" ", _TIMEZONE.sub(" ", folded[:start] + " " + folded[end:]))
    for _ in range(3):  # "Publié le 12/02/2024, mis à jour le 13/02/2024"
        more = _find_date(residue)
        if more is None:
            break
        residue = residue[: more[1]] + " " + residue[more[2]:]
    if not _PUNCT_ONLY.fullmatch(_DATE_WORDS.sub(" ", residue)):
        return None
    labels = folded[:start]
    if _UPDATE_LABEL.search(labels) and not _PUBLISH_LABEL.search(labels):
        return iso, 3
    return iso, (1 if _PUBLISH_LABEL.search(labels) else 2)


# --------------------------------------------------------------------------- rule families

# Debris: UI chrome words/widgets that scrapers keep as lines of their own. A line is debris when
# nothing but these phrases, dates and separators remains after removing them.
_UI_PHRASES = re.compile(
    r"(?<!\w)(?:cookie (?:settings|preferences|policy)|close|fermer|logo|menu|open menu|ouvrir le menu|main menu|menu principal|"
    r"share(?: this(?: article| story| page)?| on \w+)?|partager(?: (?:l'article|cet article|sur \w+))?|partage|"
    r"print|imprimer|search|rechercher?|recherche|log ?in|log ?out|sign in|se connecter|connexion|deconnexion|"
    r"mon compte|my account|home|accueil|back to top|retour en haut(?: de (?:la )?page)?|"
    r"skip to (?:main )?content|aller au contenu(?: principal)?|advertisement|advertising|publicite|pub|"
    r"sponsored|sponsorise|facebook|twitter|linkedin|whatsapp|messenger|telegram|pinterest|reddit|flipboard|"
    r"bluesky|threads|e-?mail|mail|x|copy link|copier le lien|lien copie|link copied|\d* ?comments?|"
    r"\d* ?commentaires?|commenter|save|enregistrer|sauvegarder|favoris|bookmark|"
    r"listen(?: to this article)?|ecouter(?: cet article| l'article)?|play|video|toggle navigation|navigation|"
    r"lecture zen|resumer l'article|mode lecture|reading mode|zen mode|mode zen|"
    r"temps de lecture ?:? ?\d+ ?(?:min(?:utes?)?|mn)|\d+ ?(?:min(?:utes?)?|mn) (?:read|de lecture)|"
    r"reading time ?:? ?\d+ ?min(?:utes?)?|tweet|follow|suivre|voir plus|see more|show more|afficher plus|"
    r"next|previous|suivant|precedent|cookies?|accept(?: all)?|accepter(?: et fermer)?|tout accepter|"
    r"reject all|tout refuser|continuer sans accepter|premium|en direct|live|date|image|photo|"
    r"agrandir|zoom|plein ecran|full ?screen|voir les commentaires|view comments|"
    r"scroll to continue(?: with content)?|continue reading(?: below)?|(?:story|article) continues below|"
    r"reuse this content|reutiliser ce contenu|manage cookies|"
    r"gerer les cookies|parametres des cookies|parametrer les cookies|ajouter a (?:vos|mes) (?:selections|favoris)|"
    r"add to (?:my )?(?:list|favou?rites|saved(?: articles)?|reading list)|save (?:this )?(?:article|story))(?!\w)"
)
# Server/template errors the scraper captured instead of the page; signatures that prose never carries.
_SERVER_ERRORS = _compile(
    ("sqlstate[", r"sqlstate\["),
    ("pdoexception", r"\bpdoexception\b"),
    ("error", r"\b(?:fatal|parse) error\s?:"),
    ("uncaught", r"\buncaught (?:exception|error|typeerror)\b"),
    ("stack trace", r"\bstack trace\s?:"),
    ("traceback", r"\btraceback \(most recent call last\)"),
    ("database connection", r"\berror establishing a database connection\b"),
    ("warning", r"\bwarning\s?: \w+\(\)"),
    ("mysql", r"\bmysqli?_\w+\("),
    ("", r"^(?:erreur|error|http error|erreur http)\s?\d{0,3}\s?:.{0,160}"
     r"(?:connection|connexion|database|base de donnees|server|serveur|timed? ?out|refused|refusee|\b[45]\d\d\b|errno)"),
)

_NEWSLETTER = _compile(
    ("merci", r"\bmerci (?:de|pour) votre (?:inscription|abonnement a (?:la|notre) newsletter)\b"),
    ("thank", r"\bthanks? (?:you )?for (?:signing up|subscribing|registering)\b"),
    ("cliquant", r"\ben cliquant sur\b.{0,60}?(?:vous acceptez|j'accepte|s'inscrire|je m'inscris|valider|m'abonner|s'abonner)"),
    ("agree|accept|consent|acknowledge", r"\bby (?:clicking|signing up|subscribing|registering|entering your email)\b"
     r".{0,80}?\b(?:you agree|you accept|you consent|you acknowledge|agree to)\b"),
    ("acceptez", r"\bvous acceptez (?:nos|les) (?:conditions|cgu|cgv|politique)"),
    ("you agree|you consent", r"\byou (?:agree|consent) to (?:our|the) (?:terms|privacy|user agreement|use of)"),
    ("desabonner|unsubscribe", r"\b(?:vous pouvez vous desabonner|vous desabonner a tout moment|unsubscribe at any time|"
     r"you (?:can|may) unsubscribe)\b"),
    ("telechargez|installez", r"\b(?:telechargez|installez) (?:gratuitement )?(?:l'|notre )app(?:lication|li)?\b"),
    ("app", r"(?:^|[.!?] )(?:download|get|install) (?:the|our) (?:free )?(?:\w+ )?app\b"),
    ("newsletter", r"\b(?:inscrivez-vous|abonnez-vous|s'inscrire|s'abonner|je m'abonne) a (?:notre|nos|la|les) "
     r"(?:\w+ )?newsletters?\b"),
    ("sign up|subscribe|register", r"\b(?:sign up|subscribe|register) (?:for|to) (?:our|the|this) (?:free )?(?:\w+ )?"
     r"(?:newsletters?|briefing|email(?: list)?)\b"),
    ("newsletter", r"\b(?:recevez|recevoir) (?:gratuitement )?(?:notre|nos|la|les) (?:\w+ )?newsletters?\b"),
    ("newsletter", r"\b(?:get|receive) (?:our|the) (?:\w+ )?newsletters? (?:in|delivered|straight)\b"),
    ("sujets favoris", r"\baccedez a vos sujets favoris\b"),
    # a blurb that names a newsletter and ends on the sign-up button ("... newsletter. Sign up here.")
    ("newsletter", r"\bnewsletters?\b.{0,300}(?:^|[.!?»\"] )(?:sign up|subscribe|inscrivez-vous|s'inscrire|"
     r"abonnez-vous|je m'inscris)(?: here| now| today| ici)?[.!]?$"),
    ("enter your", r"\benter your e-?mail(?: address)?\b"),
    ("saisissez", r"\bsaisissez votre (?:adresse )?e-?mail\b"),
    ("", r"^(?:newsletters?|sign up|inscrivez-vous|s'inscrire)\s?[!:.]?$"),
)

_RELATED = _compile(
    # a heading announcing a block of links, alone on its line
    ("", r"^(?:[>»→▶►•*|-]+ ?)?(?:histoires connexes|articles? (?:connexes|lies|similaires|recommandes)|"
     r"a lire (?:aussi|egalement|ensuite)|lire (?:aussi|egalement)|voir aussi|sur le meme (?:sujet|theme)|"
     r"dans la meme rubrique|nos (?:autres )?articles? sur le (?:meme )?sujet|les plus lus|a decouvrir(?: aussi)?|"
     r"a voir (?:aussi|egalement)|related(?: stories| articles| content| coverage| posts| reading| topics)?|"
     r"read (?:more|also|next)|more (?:stories|coverage|on this (?:story|topic))|"
     r"recommended(?: for you| reading| stories| articles)?|you (?:may|might) also (?:like|be interested in)|"
     r"see also|also read|further reading|most (?:popular|read)|trending(?: now)?|top stories|en savoir plus|"
     r"explore more on (?:these|this) topics?|related topics|more on this story|plus sur ce sujet|sur ce sujet)"
     r" ?[:.…>»]* ?$"),
    # a single "read also: <headline>" link line
    ("", r"^(?:[>»→▶►•*|-]+ ?)?(?:a lire (?:aussi|egalement)|lire (?:aussi|egalement)|voir aussi|related|"
     r"read (?:more|also)|see also|also read|a decouvrir|a voir aussi|recommended) ?[:>»|-]+ ?\S"),
)

_CAPTION = _compile(
    ("//", r"// ?(?:source|credits?|photos?|images?|illustration)s? ?:"),
    ("", r"^(?:credits? ?(?:photos?|images?)?|photos? ?(?:credits?)?|images? ?(?:credits?)?|illustration|"
     r"source (?:photo|image)|photographie|picture|pictures) ?: ?\S"),
    ("", r"(?:[|/] ?|\bphoto ?:? ?|© ?)(?:getty(?: images)?|afp|reuters|ap(?: photo)?|associated press|"
     r"shutterstock|istock(?:photo)?|alamy|epa(?:-efe)?|maxppp|abaca(?:press)?|sipa(?: press)?|hans lucas|"
     r"bloomberg|dpa|anadolu|unsplash|pexels|wikimedia(?: commons)?|flickr)\b[^.]{0,60}$"),
    ("", r"^© ?[^\d\s]"),
)

_CORRECTION_NOTICE = re.compile(
    r"^(?:correction|corrections|rectificatif|erratum|clarification|editor's note|note de la redaction|"
    r"mise a jour|update|updated)\b"
)
_ERROR_WORD = re.compile(r"\b(?:erreur|faute|coquille|inexactitude|error|mistake|typo|inaccuracy)s?\b")
_REPORT_VERB = re.compile(
    r"\b(?:signalez|signalez-(?:le|la|les|nous)|faites-(?:le|nous)(?:-nous)? savoir|ecrivez-nous|contactez-nous|"
    r"let us know|tell us|report (?:it|this|an?)|contact us|email us|write to us|notify us)\b"
)
_ADDRESS = re.compile(r"\b(?:vous|votre|vos|you|your)\b|\?")

_PAYWALL_STRONG = _compile(
    ("avez", r"\bvous avez (?:lu|consulte) \d+ (?:articles?|contenus?)\b"),
    ("you", r"\byou(?:'ve| have) (?:read|viewed|reached) (?:\d+|your)\b.{0,30}?\b(?:articles?|stories|limit)\b"),
    ("vous reste", r"\bil vous reste \d+ ?% (?:de cet article|de l'article|a lire)"),
    ("reserve", r"\b(?:cet article|ce contenu|la suite(?: de cet article)?) (?:est )?reservee? aux abonnes\b"),
    ("", r"^(?:cet )?article reserve (?:a nos|aux) abonnes\b"),
    ("abonne", r"\bdeja abonne ?\?"),
    ("already", r"\balready (?:a )?(?:subscriber|member) ?\?"),
    ("subscribers|members", r"\bthis (?:article|story|content) is (?:only )?(?:available|reserved|exclusive) "
     r"(?:to|for) (?:subscribers|members)\b"),
    ("reading", r"\b(?:subscribe|sign in|log in) (?:now |today )?to (?:continue|keep) reading\b"),
    ("la suite|l'integralite", r"\b(?:abonnez-vous|connectez-vous|inscrivez-vous|identifiez-vous) "
     r"(?:gratuitement )?pour (?:lire|decouvrir|acceder a) (?:la suite|l'integralite)\b"),
    ("la suite", r"\bpour (?:lire|decouvrir) la suite(?: de cet article)?,? (?:abonnez-vous|connectez-vous)\b"),
    ("read|unlock|access", r"\b(?:subscribe|sign in|log in|register) (?:now |today )?to (?:read|unlock|access) "
     r"(?:the (?:full|rest of the|whole)|this) (?:article|story)\b"),
    ("decouvrez", r"\bdecouvrez les (?:nombreux )?(?:avantages|bonus|offres?)\b"),
    ("aime cet", r"\bsi vous avez aime cet article\b"),
    ("this article|this story", r"\bif you (?:enjoyed|liked) this (?:article|story)\b"),
    ("google", r"\b(?:abonn\w*|suivez|suivre|follow|add) .{0,40}?google (?:news|actualites)\b"),
    # a call-to-action button label: imperative at para start or after a sentence, no final punctuation
    ("abonn|subscribe|become|support|soutenez|don", r"(?:^|[.!?] )(?:s'abonner|je m'abonne|abonnez-vous|"
     r"subscribe(?: now| today)?|become a (?:member|subscriber|supporter)|support (?:us|our journalism|"
     r"independent journalism)|soutenez(?:-nous| notre \w+)|faites un don|donate(?: now| today)?)\b[^.!?]{0,60}$"),
)
# Weak promo vocabulary: only drops a paragraph that also addresses the reader and sits next to a
# paragraph already dropped as a promo, so an article about subscriptions keeps its paragraphs.
_PAYWALL_WEAK = re.compile(
    r"\babonn\w*|\bsubscri\w*|\bjournalism\w*|\bpublicite\b|\bad-free\b|\bads\b|\bgratuit\w*|\bfree\b|"
    r"\bsoutenir\b|\bsoutenez\b|\bsupport\w*|\bdons?\b|\bdonat\w*|\bmembers?(?:hip)?\b|\bmembres?\b|\bpremium\b|"
    r"\bexclusi\w*|\bcontribu\w*|\blecteurs?\b|\breaders?\b|\w\+|\boffre\b|\boffer\b|\bpaywall\b|\braisons?\b|"
    r"\breasons?\b|\bpayer\b|\bpay\b|\bindependan\w*|\bindependen\w*"
)
_PROMO_ADDRESS = re.compile(r"\b(?:vous|votre|vos|nous|notre|nos|you|your|we|our|us)\b|^\d{1,2}[.)]? ")

_SYND_URL_KEY = re.compile(
    r"^(?:source link|source url|lien source|lien de la source|original (?:article|url|source|link)|"
    r"article original|canonical(?: url)?|url|lien|link|source) ?: ?https?://"
)
_SYND_AUTHOR_KEY = re.compile(
    r"^(?:author|authors|auteur|auteurs|auteure|autrice|writer|written by|byline|redige par|ecrit par) ?:"
)
_SYND_DATE_KEY = re.compile(
    r"^(?:publish date|published date|publication date|date de publication|date published|pubdate|"
    r"date de parution|release date) ?:"
)
_SYND_SITE_KEY = re.compile(r"^(?:tags?|site|site name|nom du site|publisher|editeur|publication|media) ?:")
_SYND_COPYRIGHT = _compile(
    ("", r"^(?:©|\(c\)|copyright) ?(?:©|\(c\))? ?\d{4}\b"),
    ("", r"^copyright ?(?:©|\(c\)|for syndicated)"),
    ("syndicated", r"\bsyndicated content belongs to\b"),
    ("reserved|reserves", r"\b(?:all rights reserved|tous droits reserves)\b"),
    ("standards", r"^our (?:editorial )?standards\s?:"),
    ("principles", r"\btrust principles\b"),
)
_COPYRIGHT_NAME = re.compile(
    r"^(?:©|\(c\)|copyright)\s?(?:©|\(c\))?\s?(?:\d{4}(?:\s?[-–]\s?\d{4})?\s?)?(?P<name>[^\d\W][^.,|]{1,59}?)"
    r"\s?(?:[.,|–-]\s?)?(?:all rights reserved|tous droits réservés|tous droits reserves)?\.?$",
    re.I,
)
_URL = re.compile(r"https?://\S+")

_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][\w’'.\-]*"
_NAME = _NAME_WORD + r"(?:\s(?:(?:de|du|des|da|van|von|der|den|le|la|di|del|bin|al|dos|ibn)\s)?" + _NAME_WORD + r"){0,3}"
_BYLINE = re.compile(
    r"^(?i:par|by|written by|reported by|propos recueillis par|texte de|texte)\s?:?\s"
    r"(?P<names>" + _NAME + r"(?:\s?(?:,|&|\bet\b|\band\b)\s?" + _NAME + r"){0,3})"
    r"(?P<rest>\s?(?:[,|•·–—-]|\bpour\b|\bfor\b|\bin\b|\bà\b|\ble\b|\bon\b).*)?$"
)
_NOT_NAMES = frozenset(
    "lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday saturday sunday "
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre january february march "
    "april may june july august september october november december ailleurs contre exemple la le les the this "
    "that then now far".split()
)

_RECAP_HEADING = re.compile(
    r"^(?:en bref|en resume|a retenir|l'essentiel|ce qu'il faut retenir|resume|key (?:points|takeaways)|"
    r"takeaways|in brief|summary|tl;?dr|the bottom line|what to know)\s?:?$"
)
_STOPWORDS = frozenset(
    "avec dans pour sans sous chez entre mais donc puis leur leurs elle elles nous vous sont etait etre avoir "
    "cette ces celui celle ceux aussi plus moins tres tout tous toute toutes comme quand alors dont sera fait "
    "faire deux avait ainsi encore depuis apres avant contre selon leurs their there these those that this with "
    "from have been were will would about into over after before they them than then what when which while "
    "also more most some such only other said says just like very your ours".split()
)
_WORD = re.compile(r"[^\W\d_]{4,}")


# --------------------------------------------------------------------------- paragraphs

@dataclass
class _Para:
    line: int
    text: str
    bullets: bool = False
    src: int = 0
    rule: str | None = None
    fixes: list[str] = field(default_factory=list)
    joined_to_prev: bool = False  # this piece was glued to the previous piece of the same source
    _folded: str | None = None

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = _fold(self.text)
        return self._folded


_BULLET = re.compile(r"^(?:[•·▪▫◦‣∙●○■□►▶➤➢✓✔*+–—-]|\d{1,2}[.)])\s")
_LINE_END_OPEN = re.compile(r"[^.!?…:;»\"”)\]]$")


def _is_bullet(line: str) -> bool:
    return bool(_BULLET.match(line)) and any(ch.isalnum() for ch in line[2:])


def _continues(previous_line: str, line: str) -> bool:
    # A hard-wrapped paragraph: long previous line cut mid-sentence, next line starting in lower case.
    return len(previous_line) >= 40 and bool(_LINE_END_OPEN.search(previous_line)) and line[:1].islower()


def _build_paragraphs(raw: str) -> list[_Para]:
    # Lines are collected in lists and joined once: appending to a growing string is quadratic.
    blocks: list[tuple[_Para, list[str]]] = []
    block_open = False
    for number, line in enumerate(raw.splitlines(), 1):
        text = _CONTROL.sub(" ", line).strip()
        if not text:
            block_open = False
            continue
        bullet = _is_bullet(text)
        previous = blocks[-1] if block_open and blocks else None
        if previous is not None and bullet and previous[0].bullets:
            previous[1].extend(("\n", text))
        elif previous is not None and not bullet and _continues(previous[1][-1], text):
            previous[1].extend((" ", text))
            previous[0].fixes.append(f"joined wrapped line {number} to line {previous[0].line}")
        else:
            blocks.append((_Para(number, "", bullet, src=len(blocks)), [text]))
        block_open = True
    for para, parts in blocks:
        para.text = "".join(parts)
    return [para for para, _ in blocks]


# --------------------------------------------------------------------------- glued sentences

_GLUE_CANDIDATE = re.compile(r"(?<=[^\W_])[.!?…]+[»”\"’)]?(?=[«“\"‘(]?[^\W\d_]{2})")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr mme mmes mlle mm me gen gov sen rep col lt sgt capt cpt fig vol no nos art vs "
    "ltd co corp av ave bd chap pp ed eds approx dept univ ph mgr cie ste yahoo jeopardy".split()
)
_TLDS = frozenset("com fr org net io uk eu gov edu html htm php".split())
_HEADING_GLUE = re.compile(
    r"[a-zß-öø-ÿ0-9](?=(?:Le|La|Les|Un|Une|Des|Du|Ce|Cet|Cette|Ces|Il|Ils|Elle|Elles|On|Nous|Dans|Pour|Après|"
    r"Avant|Depuis|Selon|Mais|Pourtant|Alors|Quand|Lorsque|Si|Avec|Sans|Chez|Malgré|Ainsi|Désormais|Outre|Son|"
    r"Sa|Ses|Leur|Leurs|Cependant|Toutefois|En|The|This|That|These|Those|After|Before|But|When|While|According|"
    r"He|She|They|We|His|Her|Their|Its|Since|Despite|Although|However|Meanwhile|Last|Earlier)\s|"
    r"(?:L|D|C|Qu|J|S)['’][^\W\d_])"
)
_SENTENCE_PUNCT = re.compile(r"[.!?:;]")


def _word_before(text: str, end: int) -> str:
    start = end
    while start > 0 and end - start < 40 and text[start - 1].isalnum():
        start -= 1
    return text[start:end]


def _token_around(text: str, pos: int) -> str:
    left = text[max(0, pos - 200): pos]
    right = text[pos: pos + 200]
    head = "" if not left or left[-1].isspace() else left.split()[-1]
    tail = "" if not right or right[0].isspace() else right.split(None, 1)[0]
    return head + tail


def _snippet(text: str, cut: int) -> str:
    left = text[max(0, cut - 60): cut]  # bounded windows keep many cuts in a huge line linear
    punct_start = len(left.rstrip("»”\"’).!?…"))
    word = _word_before(left, punct_start)
    return left[punct_start - len(word):] + " ".join(text[cut: cut + 120].split(None, 2)[:2])


def _sentence_cuts(text: str) -> list[int]:
    """Positions where a lost line break glued two sentences ("confusion.Le ton")."""
    cuts: list[int] = []
    for match in _GLUE_CANDIDATE.finditer(text):
        punct_start, cut = match.start(), match.end()
        if len(text[max(cuts[-1] if cuts else 0, punct_start - 200): punct_start].split(None, 2)) < 3:
            continue  # a sentence has at least three words; "Le.Le." or "v2.Beta" are not sentence ends
        word = _word_before(text, punct_start)
        if len(word) < 2 or word.casefold() in _ABBREVIATIONS:
            continue  # initials (U.S.), abbreviations (Dr.), numbered items (1.)
        nxt = text[cut:cut + 60].lstrip("«“\"‘(")
        if not (nxt[:1].isupper() and nxt[1:2].islower()):
            continue  # Node.js, .NET
        token = _token_around(text, punct_start)
        if "://" in token or "www." in token.casefold() or "@" in token:
            continue
        letters = re.match(r"[^\W\d_]*", nxt)
        right = letters.group() if letters else ""
        after = nxt[len(right):len(right) + 1]
        if right.casefold() in _TLDS and (not after or after.isspace() or after in "/,;:)"):
            continue  # a domain name written with a capital: Amazon.Com
        cuts.append(cut)
    return cuts


def _heading_cut(piece: str) -> int | None:
    """Position where a short heading is glued to the next paragraph ("MicrosoftLa décision")."""
    if not piece[:1].isupper():
        return None
    # The heading cannot contain sentence punctuation, so the glue point lies before the first one.
    stop = _SENTENCE_PUNCT.search(piece, 0, 200)
    match = _HEADING_GLUE.search(piece, 0, stop.start() if stop else 200)
    if match is None:
        return None
    cut = match.start() + 1
    head, rest = piece[:cut], piece[cut:]
    if not 2 <= len(head.split()) <= 15 or len(rest.split(None, 6)) < 6:
        return None
    return cut


def _split_glued(para: _Para) -> list[_Para]:
    if para.bullets:
        return [para]
    text = para.text
    cuts = _sentence_cuts(text)
    notes = {cut: f'split glued sentence: "{_snippet(text, cut)}"' for cut in cuts}
    starts = [0, *cuts]
    bounds = list(zip(starts, [*cuts, len(text)]))
    final: list[tuple[int, int]] = []
    for start, end in bounds:
        cut = _heading_cut(text[start:end])
        if cut is not None:
            absolute = start + cut
            final += [(start, absolute), (absolute, end)]
            notes[absolute] = f'split glued heading: "{_snippet(text, absolute)}"'
        else:
            final.append((start, end))
    if len(final) == 1:
        return [para]
    pieces = []
    for index, (start, end) in enumerate(final):
        piece = _Para(para.line, text[start:end].strip(), src=para.src, joined_to_prev=index > 0)
        if index == 0:
            piece.fixes = list(para.fixes)
        elif start in notes:
            piece.fixes.append(notes[start])
        pieces.append(piece)
    return [p for p in pieces if p.text]


# --------------------------------------------------------------------------- classification

class _Meta:
    """Metadata candidates; a lower priority number wins, then the first one seen."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[int, str]] = {}

    def offer(self, name: str, value: str | None, priority: int = 1) -> None:
        value = (value or "").strip()
        if not value:
            return
        current = self.values.get(name)
        if current is None or priority < current[0]:
            self.values[name] = (priority, value)

    def get(self, name: str) -> str | None:
        return self.values[name][1] if name in self.values else None


_LEADING_DOTS = re.compile(r"^[\s.·•*|_-]+")


def _debris(text: str, folded: str, meta: _Meta) -> bool:
    if not any(ch.isalnum() for ch in text):
        return True
    if len(folded) <= 400 and _any(_SERVER_ERRORS, _LEADING_DOTS.sub("", folded)):
        return True
    if len(folded) > 150 or folded.endswith("."):
        return False
    # A reader-mode widget line may carry the article date ("date 2024-09 Lecture Zen ...").
    found = _find_date(folded, allow_year=bool(re.search(r"\bdate\b", folded))) if _DIGIT.search(folded) else None
    rest = folded if found is None else folded[: found[1]] + " " + folded[found[2]:]
    residue, hits = _UI_PHRASES.subn(" ", rest)
    if hits == 0 or not _PUNCT_ONLY.fullmatch(residue):
        return False
    if found is not None:
        meta.offer("published", found[0], 1 if _PUBLISH_LABEL.search(folded) else 2)
    return True


def _syndication(text: str, folded: str, meta: _Meta) -> bool:
    if len(folded) > 300:
        return False
    value = text.split(":", 1)[1].strip() if ":" in text else ""
    if _SYND_URL_KEY.match(folded):
        url = _URL.search(text)
        meta.offer("url", url.group().rstrip(".,;)»”") if url else None)
        return True
    if _SYND_AUTHOR_KEY.match(folded):
        meta.offer("author", value if len(value) <= 100 else None)
        return True
    if _SYND_DATE_KEY.match(folded):
        found = _find_date(_fold(value), allow_year=True)
        meta.offer("published", found[0] if found else None)
        return True
    site = _SYND_SITE_KEY.match(folded)
    if site and len(folded) <= 150:
        # "Tags : L'Express" names the source site only when it is a single tag.
        if value and len(value) <= 60 and not re.search(r"[,;#|]", value):
            meta.offer("site_name", value, 2 if folded.startswith("tag") else 1)
        return True
    if len(folded) <= 200 and _any(_SYND_COPYRIGHT, folded):
        if "syndicated" not in folded:
            name = _COPYRIGHT_NAME.match(text)
            meta.offer("site_name", name.group("name") if name else None, 3)
        return True
    return False


def _byline(text: str, folded: str, meta: _Meta) -> bool:
    if len(folded) > 160:
        return False
    match = _BYLINE.match(text)
    if match:
        names = match.group("names").strip()
        first = _fold(names.split()[0]).strip(".,'")
        rest = (match.group("rest") or "").strip()
        rest_date = _find_date(_fold(rest)) if rest else None
        if first not in _NOT_NAMES and (not rest or rest_date or (len(rest) <= 60 and not rest.endswith("."))):
            meta.offer("author", names)
            if rest_date:
                meta.offer("published", rest_date[0])
            return True
    if _DATE_LABEL_START.match(folded):
        dated = _date_line(folded)
        if dated:
            meta.offer("published", dated[0], dated[1])
            return True
        # "Publié aujourd'hui à 10h12, modifié à 11h05": a stamp with no date to keep, still not prose.
        stamp = _DATE_WORDS.sub(" ", _RELATIVE.sub(" ", _TIMEZONE.sub(" ", _TIME.sub(" ", folded))))
        if len(folded) <= 120 and _RELATIVE.search(folded) and _PUNCT_ONLY.fullmatch(stamp):
            return True
    credit = _CREDIT.match(folded)
    if credit and not folded.endswith((".", "!", "?")):
        # "Reporting by Jane Smith in San Francisco; Editing by Tom Brown"
        first = re.split(r";| in | a | à |,", text[credit.end():])[0].strip()
        meta.offer("author", first if 2 <= len(first) <= 60 else None, 2)
        return True
    agency = _AGENCY.match(folded)
    if agency:
        site = agency.group("site")
        if site:
            meta.offer("site_name", text[: len(site)].strip(), 3)
        return True
    return False


def _correction_prompt(folded: str) -> bool:
    return (
        len(folded) <= 300
        and not _CORRECTION_NOTICE.match(folded)
        and bool(_ERROR_WORD.search(folded) and _REPORT_VERB.search(folded) and _ADDRESS.search(folded))
    )


def _classify_line(text: str, folded: str, meta: _Meta) -> str | None:
    if _debris(text, folded, meta):
        return "debris"
    if _syndication(text, folded, meta):
        return "syndication"
    if _byline(text, folded, meta):
        return "byline"
    if len(folded) <= 600 and _any(_NEWSLETTER, folded):
        return "newsletter"
    if len(folded) <= 250 and _any(_RELATED, folded):
        return "related"
    if len(folded) <= 300 and _any(_CAPTION, folded):
        return "caption"
    if _correction_prompt(folded):
        return "correction_prompt"
    if len(folded) <= 2000 and _any(_PAYWALL_STRONG, folded):
        return "paywall"
    return None


def _classify(para: _Para, meta: _Meta) -> str | None:
    if not para.bullets:
        return _classify_line(para.text, para.folded, meta)
    # A bulleted list is boilerplate only when every item is (e.g. a list of "Lire aussi" links).
    rules = set()
    for line in para.text.split("\n"):
        item = _BULLET.sub("", line, count=1).strip() if _is_bullet(line) else line
        rules.add(_classify_line(item, _fold(item), meta))
        if None in rules or len(rules) > 1:
            return None
    return rules.pop() if rules else None


def _headline_like(para: _Para) -> bool:
    text = para.text
    if para.bullets or "\n" in text or len(text) > 200:
        return False
    if not 2 <= len(text.split()) <= 30 or not (text[:1].isalnum() or text[:1] in "«“\"‘'("):
        return False
    if text.endswith((",", ";", ":")) or (text.endswith(".") and not text.endswith("...")):
        return False
    return not re.search(r"[a-zß-öø-ÿ]{2}[.!] +[A-ZÀ-ÖØ-Þ]", text)


def _stems(text: str) -> set[str]:
    return {w[:6] for w in _WORD.findall(_fold(text)) if w not in _STOPWORDS}


def _mark_recap(pieces: list[_Para], title: str | None) -> None:
    kept = [i for i, p in enumerate(pieces) if p.rule is None]
    if len(kept) < 3 or not pieces[kept[-1]].bullets:
        return
    last = kept[-1]
    items = pieces[last].text.split("\n")
    before = [pieces[i] for i in kept[:-1]]
    if len(items) < 2 or sum(not p.bullets for p in before) < 2:
        return
    earlier = _stems(" ".join([title or "", *(p.text for p in before)]))
    recap = _stems(pieces[last].text)
    if len(recap) < 4 or len(earlier) < 30:
        return
    # A recap restates: most of its content words already occur in the article; new facts would not.
    if len(recap & earlier) / len(recap) >= 0.6:
        pieces[last].rule = "recap"
        heading = pieces[kept[-2]]
        if _RECAP_HEADING.match(heading.folded.rstrip(" .")):
            heading.rule = "recap"


def _propagate_paywall(pieces: list[_Para]) -> None:
    changed = True
    while changed:
        changed = False
        for i, para in enumerate(pieces):
            if para.rule is not None or len(para.folded) > 1000:
                continue
            neighbours = [pieces[j] for j in (i - 1, i + 1) if 0 <= j < len(pieces)]
            if not any(n.rule == "paywall" for n in neighbours):
                continue
            if _PAYWALL_WEAK.search(para.folded) and _PROMO_ADDRESS.search(para.folded):
                para.rule = "paywall"
                changed = True


_PROSE_END = re.compile(r"[.!?…][»”\"’)]?$|[»”]$")


def _prose(text: str) -> bool:
    """A sentence-like paragraph (not a title, label or date line): enough words and closing punctuation."""
    return len(text.split()) >= 15 or (len(text.split()) >= 8 and bool(_PROSE_END.search(text)))


_TITLE = "_title"  # internal marker: moved to Cleaned.title, not dropped


def clean_text(raw: str) -> Cleaned:
    """Clean scraped article text: drop boilerplate by named rule, move the title and metadata out of the body."""
    meta = _Meta()
    pieces = [piece for para in _build_paragraphs(raw) for piece in _split_glued(para)]
    for piece in pieces:
        piece.rule = _classify(piece, meta)

    # Undated-label date lines are metadata only above or below the prose, never between paragraphs
    # (a chronology's date subheadings are content).
    long_ones = [i for i, p in enumerate(pieces) if p.rule is None and _prose(p.text)]
    first_long = long_ones[0] if long_ones else len(pieces)
    last_long = long_ones[-1] if long_ones else len(pieces)
    for i, piece in enumerate(pieces):
        if piece.rule is None and (i < first_long or i > last_long) and len(piece.folded) <= 120:
            dated = _date_line(piece.folded)
            if dated:
                meta.offer("published", dated[0], dated[1])
                piece.rule = "byline"

    title: str | None = None
    first = next((p for p in pieces if p.rule is None), None)
    if first is not None and _headline_like(first):
        title, first.rule = first.text, _TITLE

    title_key = _dedup_key(_fold(title)) if title else None
    seen: set[str] = set()
    for piece in pieces:
        if piece.rule is not None:
            continue
        key = _dedup_key(piece.folded)
        if key == title_key:
            piece.rule = "title_repeat"
        elif len(key) >= 20 and key in seen:
            piece.rule = "duplicate"
        else:
            seen.add(key)

    _propagate_paywall(pieces)
    _mark_recap(pieces, title)

    dropped: list[list] = []
    fixes: list[str] = []
    for i, piece in enumerate(pieces):
        previous = pieces[i - 1] if i else None
        kept = piece.rule is None
        glued_to_previous = piece.joined_to_prev and previous is not None
        if piece.fixes and (kept or (glued_to_previous and previous is not None and previous.rule is None)):
            fixes.extend(piece.fixes)
        if kept or piece.rule == _TITLE:
            continue
        if glued_to_previous and dropped and dropped[-1][3] == i - 1 and dropped[-1][2] == piece.rule:
            dropped[-1][1] += piece.text  # re-glue pieces of one source line dropped for the same reason
            dropped[-1][3] = i
        else:
            dropped.append([piece.line, piece.text, piece.rule, i])

    return Cleaned(
        text="\n\n".join(p.text for p in pieces if p.rule is None),
        title=title,
        author=meta.get("author"),
        published=meta.get("published"),
        url=meta.get("url"),
        site_name=meta.get("site_name"),
        dropped=tuple(Dropped(line, text, rule) for line, text, rule, _ in dropped),
        fixes=tuple(fixes),
    )


_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def paragraphs(text: str) -> list[str]:
    """Split a cleaned body into its paragraphs (separated by blank lines), stripped, empty ones skipped."""
    return [p.strip() for p in _BLANK_LINE.split(text) if p.strip()]
