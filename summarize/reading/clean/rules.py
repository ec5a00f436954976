"""The cleaning rules as data: what each rule drops, and the phrase families that recognise it."""

from __future__ import annotations

import re

from .text import family


RULES: dict[str, str] = {
    "debris": "scraper debris: lone UI words, punctuation-only lines, reader-mode widgets, server error messages",
    "newsletter": "newsletter sign-up, consent and app-download blurbs",
    "related": "related-stories headings and 'read also' link lines",
    "caption": "image captions and photo-credit lines",
    "paywall": "subscription, paywall and support-our-journalism promos",
    "correction_prompt": "prompts inviting readers to report an error (not editorial correction notices)",
    "syndication": "syndication footer lines (source link, author, publish date, copyright, tags), kept as metadata",
    "byline": "whole-line bylines and publication-date lines, kept as metadata",
    "navigation": "menus, section labels, breadcrumbs and taglines above the chosen title, archive headers, skip links",
    "account": "login, registration and comment-form prompts",
    "promo": "partner, sponsor, event-ticket, guest-post and social-group promos, announcement banners",
    "title_repeat": "the article title repeated later in the text",
    "duplicate": "exact (whitespace/quote-normalised) repeat of an earlier paragraph, or a teaser the next one repeats",
    "recap": "trailing bullet list restating what the article already said",
}


# Debris: UI chrome words/widgets that scrapers keep as lines of their own. A line is debris when
# nothing but these phrases, dates and separators remains after removing them.
UI_PHRASES = re.compile(
    r"(?<!\w)(?:(?:fermer|ouvrir|close|open) (?:le |the )?menu|cookie (?:settings|preferences|policy)|close|fermer|logo|menu|open menu|ouvrir le menu|main menu|menu principal|"
    r"share this (?:story|article|post) with your (?:network|friends)|share(?: this(?: article| story| page)?| on \w+)?|"
    r"partager sur|sauvegarder cet article|aimer cet article|ok|sections|viewing page \d+ of \d+|"
    r"page \d+ (?:of|sur|de) \d+|texte integral \(\d+ mots\)|partager(?: (?:l'article|cet article|sur \w+))?|partage|"
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
    r"add to (?:my )?(?:list|favou?rites|saved(?: articles)?|reading list)|save (?:this )?(?:article|story)|"
    r"main content|contenu principal|passer (?:au contenu|a la navigation(?: principale)?)|atteindre le pied de page|"
    r"press \"?enter\"? to skip to content|category|categories|categorie|"
    r"actualites?|news|a la une|loading|chargement(?: en cours)?|reagir|"
    r"in this article|dans cet article|table of contents|sommaire|"
    r"\d+ ?(?:partages?|shares?)|"
    r"on|(?:image |rectangle )?placeholder|"
    r"leave a (?:reply|comment)|laisser un commentaire|laissez un commentaire|"
    r"your email address will not be published|votre adresse (?:e-?mail|de messagerie) ne sera pas publiee|"
    r"required fields are marked|les champs obligatoires sont indiques(?: avec)?)(?!\w)"
)
# Server/template errors the scraper captured instead of the page; signatures that prose never carries.
SERVER_ERRORS = family(
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

NEWSLETTER = family(
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
    ("newsletter", r"^(?:join|get|subscribe to) our (?:\w+ )?newsletter\s?[!.]?$"),
    ("newsletter", r"^(?:(?:toutes )?nos |(?:all )?our )?newsletters?(?: \w+)?$"),
    ("sign up", r"^sign up (?:today )?for (?:\w+ ){0,3}(?:news|updates|alerts|deals|stories)\b.{0,100}$"),
    ("on the list", r"\byou're on the list\b"),
    # cookie consent: consent text, whatever it is attached to
    ("cookie", r"\ben poursuivant (?:votre )?navigation\b.{0,120}\bcookies?\b|\b(?:ce site|nous) utilis\w* des cookies\b|"
     r"\bby (?:continuing to (?:browse|use)|using) (?:this|our) (?:site|website)\b.{0,120}\bcookies?\b|"
     r"\b(?:we|this (?:site|website)) uses? cookies\b"),
)

RELATED = family(
    # a heading announcing a block of links, alone on its line
    ("", r"^(?:[>»→▶►•*|-]+ ?)?(?:histoires connexes|articles? (?:connexes|lies|similaires|recommandes)|"
     r"a lire (?:aussi|egalement|ensuite)|lire (?:aussi|egalement)|voir aussi|sur le meme (?:sujet|theme)|"
     r"dans la meme rubrique|nos (?:autres )?articles? sur le (?:meme )?sujet|les plus lus|a decouvrir(?: aussi)?|"
     r"a voir (?:aussi|egalement)|related(?: stories| articles| content| coverage| posts| reading| topics)?|"
     r"read (?:more|also|next)|more (?:stories|coverage|on this (?:story|topic))|"
     r"recommended(?: for you| reading| stories| articles)?|you (?:may|might) also (?:like|be interested in)|"
     r"see also|also read|further reading|most (?:popular|read)|trending(?: now)?|top stories|en savoir plus|"
     r"explore more on (?:these|this) topics?|related topics|related images|story topics|pour aller plus loin|more on this story|plus sur ce sujet|sur ce sujet)"
     r" ?[:.…>»]* ?$"),
    # a single "read also: <headline>" link line
    ("", r"^(?:[>»→▶►•*|-]+ ?)?(?:a lire (?:aussi|egalement)|lire (?:aussi|egalement)|voir aussi|related|"
     r"read (?:more|also)|see also|also read|a decouvrir|a voir aussi|recommended|lire la suite) ?[:>»|\[(-]+ ?\S"),
    ("read more at", r"^read more at (?:the )?(?:article )?source\b"),
)

CAPTION = family(
    ("//", r"// ?(?:source|credits?|photos?|images?|illustration)s? ?:"),
    ("", r"^(?:credits? ?(?:photos?|images?)?|photos? ?(?:credits?)?|images? ?(?:credits?)?|illustration|"
     r"source (?:photo|image)|photographie|picture|pictures) ?: ?\S"),
    ("", r"(?:[|/] ?|\bphoto ?:? ?|© ?)(?:getty(?: images)?|afp|reuters|ap(?: photo)?|associated press|"
     r"shutterstock|istock(?:photo)?|alamy|epa(?:-efe)?|maxppp|abaca(?:press)?|sipa(?: press)?|hans lucas|"
     r"bloomberg|dpa|anadolu|unsplash|pexels|wikimedia(?: commons)?|flickr)\b[^.]{0,60}$"),
    ("", r"^© ?[^\d\s]"),
    # alt text that says only what the picture is: "Photo bâtiment", "Image de l'intelligence artificielle."
    ("photo|image|illustration|picture", r"^(?:photo|image|illustration|picture)s? (?:de |d'|du |des |of |)?[^.!?:;]{2,50}\.?$"),
    ("screen", r"^screen ?shot \d{4}-\d{2}-\d{2}\b.{0,30}$"),
    ("jpg|jpeg|png|gif|webp|avif", r"^[\w.-]{3,120}\.(?:jpe?g|png|gif|webp|avif)$"),
    ("jpg|jpeg|png|gif|webp", r"^(?:jpe?g|png|gif|webp) ?- ?\d+ ?(?:ko|kb|mo|mb)$"),  # an image's file name
    # a photo credit in brackets closing the line: "[Don Vincent/The Daily Line]", "(Cyril Zannettacci/VU')"
    ("/", r"[\[(][^\])/]{2,40}/[^\])]{2,40}[\])]$"),
)

CORRECTION_NOTICE = re.compile(
    r"^(?:correction|corrections|rectificatif|erratum|clarification|editor's note|note de la redaction|"
    r"mise a jour|update|updated)\b"
)
ERROR_WORD = re.compile(r"\b(?:erreur|faute|coquille|inexactitude|error|mistake|typo|inaccuracy)s?\b")
REPORT_VERB = re.compile(
    r"\b(?:signalez|signalez-(?:le|la|les|nous)|faites-(?:le|nous)(?:-nous)? savoir|ecrivez-nous|contactez-nous|"
    r"let us know|tell us|report (?:it|this|an?)|contact us|email us|write to us|notify us)\b"
)
ADDRESS = re.compile(r"\b(?:vous|votre|vos|you|your)\b|\?")

PAYWALL_STRONG = family(
    ("avez", r"\bvous avez (?:lu|consulte) \d+ (?:articles?|contenus?)\b"),
    ("you", r"\byou(?:'ve| have) (?:read|viewed|reached) (?:\d+|your)\b.{0,30}?\b(?:articles?|stories|limit)\b"),
    ("vous reste", r"\bil vous reste \d+ ?% (?:de cet article|de l'article|a lire)"),
    ("reserve", r"\b(?:cet article|ce contenu|la suite(?: de cet article)?) (?:est )?reservee? aux abonnes\b"),
    ("", r"^(?:(?:cet )?article )?reserve (?:a nos|aux) abonnes\b"),
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
     r"independent journalism)|soutenez(?:[- ]nous| notre \w+)|faites un don|faire un don|donate(?: now| today)?)\b[^.!?]{0,60}$"),
    # a short promo that ends on the call ("… QG monte en puissance. Soutenez nous !")
    ("soutenez|don|support|donate", r"^.{0,200}[.!?] (?:soutenez[- ]nous|faites un don|support us|donate now) ?!$"),
    ("don", r"\bn'oubliez pas de faire un don\b"),
)
# Weak promo vocabulary: only drops a paragraph that also addresses the reader and sits next to a
# paragraph already dropped as a promo, so an article about subscriptions keeps its paragraphs.
PAYWALL_WEAK = re.compile(
    r"\babonn\w*|\bsubscri\w*|\bjournalism\w*|\bpublicite\b|\bad-free\b|\bads\b|\bgratuit\w*|\bfree\b|"
    r"\bsoutenir\b|\bsoutenez\b|\bsupport\w*|\bdons?\b|\bdonat\w*|\bmembers?(?:hip)?\b|\bmembres?\b|\bpremium\b|"
    r"\bexclusi\w*|\bcontribu\w*|\blecteurs?\b|\breaders?\b|\w\+|\boffre\b|\boffer\b|\bpaywall\b|\braisons?\b|"
    r"\breasons?\b|\bpayer\b|\bpay\b|\bindependan\w*|\bindependen\w*"
)
PROMO_ADDRESS = re.compile(r"\b(?:vous|votre|vos|nous|notre|nos|you|your|we|our|us)\b|^\d{1,2}[.)]? ")

SYND_URL_KEY = re.compile(
    r"^(?:source link|source url|lien source|lien de la source|original (?:article|url|source|link)|"
    r"article original|canonical(?: url)?|url|lien|link|source) ?: ?https?://"
)
SYND_AUTHOR_KEY = re.compile(
    r"^(?:author|authors|auteur|auteurs|auteure|autrice|writer|written by|byline|redige par|ecrit par) ?:"
)
SYND_DATE_KEY = re.compile(
    r"^(?:publish date|published date|publication date|date de publication|date published|pubdate|"
    r"date de parution|release date) ?:"
)
SYND_SITE_KEY = re.compile(r"^(?:tags?|site|site name|nom du site|publisher|editeur|publication|media) ?:")
SYND_COPYRIGHT = family(
    ("", r"^(?:©|\(c\)|copyright) ?(?:©|\(c\))? ?\d{4}\b"),
    ("", r"^copyright ?(?:©|\(c\)|for syndicated)"),
    ("syndicated", r"\bsyndicated content belongs to\b"),
    ("reserved|reserves", r"\b(?:all rights reserved|tous droits reserves)\b"),
    ("standards", r"^our (?:editorial )?standards\s?:"),
    ("principles", r"\btrust principles\b"),
)
COPYRIGHT_NAME = re.compile(
    r"^(?:©|\(c\)|copyright)\s?(?:©|\(c\))?\s?(?:\d{4}(?:\s?[-–]\s?\d{4})?\s?)?(?P<name>[^\d\W][^.,|]{1,59}?)"
    r"\s?(?:[.,|–-]\s?)?(?:all rights reserved|tous droits réservés|tous droits reserves)?\.?$",
    re.I,
)
URL = re.compile(r"https?://\S+")

_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][\w’'.\-]*"
_NAME = _NAME_WORD + r"(?:\s(?:(?:de|du|des|da|van|von|der|den|le|la|di|del|bin|al|dos|ibn)\s)?" + _NAME_WORD + r"){0,3}"
BYLINE = re.compile(
    r"^(?i:par|by|written by|reported by|propos recueillis par|texte de|texte)\s?:?\s"
    r"(?P<names>" + _NAME + r"(?:\s?(?:,|&|\bet\b|\band\b)\s?" + _NAME + r"){0,3})"
    r"(?P<rest>\s?(?:[,|•·–—-]|\bpour\b|\bfor\b|\bin\b|\bà\b|\ble\b|\bon\b).*)?$"
)
NOT_NAMES = frozenset(
    "lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday saturday sunday "
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre january february march "
    "april may june july august september october november december ailleurs contre exemple la le les the this "
    "that then now far".split()
)

RECAP_HEADING = re.compile(
    r"^(?:en bref|en resume|a retenir|l'essentiel|ce qu'il faut retenir|resume|key (?:points|takeaways)|"
    r"takeaways|in brief|summary|tl;?dr|the bottom line|what to know)\s?:?$"
)
STOPWORDS = frozenset(
    "avec dans pour sans sous chez entre mais donc puis leur leurs elle elles nous vous sont etait etre avoir "
    "cette ces celui celle ceux aussi plus moins tres tout tous toute toutes comme quand alors dont sera fait "
    "faire deux avait ainsi encore depuis apres avant contre selon leurs their there these those that this with "
    "from have been were will would about into over after before they them than then what when which while "
    "also more most some such only other said says just like very your ours".split()
)
WORD = re.compile(r"[^\W\d_]{4,}")

# "Translated by", never "Translated" alone: a headline may start with the word (a Hypothesis test found one).
CREDIT = re.compile(
    r"^(?:(?:(?:additional )?reporting|writing|editing|compiled|research|graphics|translated|traduit) (?:by|par) |"
    r"avec la contribution de |traduction:? )"
)
AGENCY = re.compile(
    r"^(?:(?P<site>[^\W\d][\w'. -]{1,40}) )?(?:avec|with|and|et) (?:l')?"
    r"(?:afp|reuters|ap|associated press|bloomberg|dpa|ansa|efe|belga|ats|apa)\.?$|^\(?(?:afp|reuters|ap)\)?$"
)


# Navigation: lines that only lead elsewhere on the site. Anchored at the start and short, so prose that
# mentions an archive or a return never matches.
NAVIGATION = family(
    ("skip", r"^(?:press \"?enter\"? to )?skip to (?:the )?(?:main )?(?:content|navigation)\b.{0,20}$"),
    ("retour", r"^retour (?:a|aux) (?:toutes les |tous les |la liste des |l'accueil|la une)?"
     r"(?:actualites|actus|articles|news|billets|communiques)?\s?[>»]?$"),
    ("back to", r"^back to (?:all |the )?(?:articles|posts|news|stories|blog|home(?:page)?|top)\b.{0,30}$"),
    ("archive", r"^(?:monthly|daily|yearly|category|tag|author|topic) archives?\s?:"),
    ("archive", r"^archives? (?:du mot-cle|des mots-cles|de (?:la )?categorie|mensuelles?|annuelles?|"
     r"de l'auteur|par (?:mot|mots)-cles?|du tag|par categorie|par date)\b.{0,60}$"),
    ("connect with|follow us|suivez-nous", r"^(?:connect with us|follow us|suivez-nous)(?: (?:on|sur) [\w ,&]{1,40})?\s?[!:.]?$"),
)

# Login, registration and comment-form prompts: the page's furniture around the article.
ACCOUNT = family(
    ("mot de passe", r"\bmot de passe(?: oublie)?\b"),
    ("password", r"\bforgot (?:your )?password\b"),
    ("compte", r"\b(?:creez|creer|creez-vous|ouvrez|ouvrir) (?:votre|un) compte\b|"
     r"\b(?:vous devez avoir|pas encore de|disposez deja d') ?(?:un )?compte\b"),
    ("account", r"\b(?:create (?:an|your) account|don't have an account|already have an account)\b"),
    ("identifiez|connectez", r"^(?:identifiez-vous|connectez-vous)\b"),
    ("inscri", r"\b(?:l'inscription est gratuite|je m'inscris)\b"),
    ("identifiant", r"^identifiant\s?(?:mot de passe)?$"),
    ("log in|sign in", r"^(?:log in|sign in|login) (?:to|or register to) (?:comment|reply|participate|post)\b"),
    ("sign in with", r"^(?:or )?sign in with (?:e-?mail|google|facebook|apple|twitter)\b"),
    ("activate your account", r"\bactivate your account\b"),
    ("first to comment", r"\bbe the first to comment\b"),
    ("please enter your", r"^please enter your (?:comment|name|e-?mail)\b"),
)

# Promos that are not about subscriptions: partners, sponsors, event tickets, guest posts, social groups, and
# banners that end on a call to action with an arrow.
PROMO = family(
    ("partenaire|partner|sponsor", r"\b(?:avec notre partenaire|en partenariat avec|sponsorise par|"
     r"in partnership with|sponsored by|brought to you by|presented by)\b"),
    ("ticket|billet|place", r"\b(?:secure|get|book|buy|grab) your (?:tickets?|pass(?:es)?|seats?)\b|"
     r"\b(?:reservez|prenez|achetez) (?:votre|vos) (?:billets?|places?|pass)\b"),
    ("guest", r"^(?:write for us|submit (?:a|your) guest post|guest posts? (?:welcome|wanted))\b"),
    ("groupe|group", r"^(?:rejoignez|join) (?:notre|nos|our|the) (?:\w+ )?(?:groupe|group|communaute|community)s?\b"
     r".{0,80}\b(?:facebook|linkedin|telegram|whatsapp|discord|slack)\b"),
    ("discover more from", r"^discover more from \S"),
    ("ulule|kisskissbankbank|kickstarter|indiegogo|patreon|tipeee|helloasso",
     r"\b(?:en campagne|campagne de financement|soutenez-nous|support us|back us) (?:sur|on) "
     r"(?:ulule|kisskissbankbank|kickstarter|indiegogo|patreon|tipeee|helloasso)\b"),
    ("→|>|»", r"(?:learn more|en savoir plus|read more|lire la suite|register now|sign up|inscrivez-vous|"
     r"find out more|decouvrir)\s?[→>»]+$"),
)

# A lone count ("0", "4  0"): comment, like and share counters.
COUNTER = re.compile(r"[\d\s]{1,12}")

# A menu line: several items separated by bars, at least one of them a site's own page.
MENU_ITEMS = re.compile(r"\s*\|\s*")
MENU_WORDS = re.compile(
    r"^(?:about(?: us)?|contact(?: us)?|subscribe|home|blog|newsletters?|a propos|accueil|nous contacter|abonnement|"
    r"s'abonner|mentions legales|privacy(?: policy)?|terms|faq|rss|photos?|videos?|podcasts?)$|\b(?:on|sur) "
    r"(?:facebook|twitter|instagram|linkedin|youtube|x)$"
)
