"""What readers see and what markup says: headings and labels of related and sponsored blocks (in
English, German, French, Spanish, Italian, Dutch, Portuguese and Japanese, and the commonest ones in
Swedish, Danish, Norwegian, Finnish, Polish, Czech, Slovak, Russian, Ukrainian, Chinese, Korean,
Turkish, Hungarian, Indonesian, Romanian and Greek), the class-name words sites use for them,
recommendation-widget vendors, and the hosts and URL parameters of affiliate networks.

Labels are compared case-folded (:func:`normalise_label`): Greek final sigma is "σ" there, and
Turkish "İ" is "i" (its combining dot dropped).

Sources: the headings are the ones publishers print above such blocks (collected from news sites
in those languages, not from one page); the vendors and affiliate networks are the public ones ad
blockers and affiliate-disclosure guides list (EasyList's "Sponsored" and "Outbrain/Taboola"
sections, the FTC's endorsement guides' examples of affiliate links).
"""

from __future__ import annotations

import re
import unicodedata

_TRIM = " \t\n:：;|·•›»«>→▸▶►◄<-–—_*#()[]{}\"'“”‘’.,!?"


def normalise_label(text: str) -> str:
    """A label as compared: NFKC, case-folded, apostrophes straightened, punctuation trimmed."""
    value = unicodedata.normalize("NFKC", text).casefold().replace("’", "'").replace("\u00a0", " ")
    value = value.replace("\u0307", "")  # "İ" case-folds to "i" and a combining dot
    return " ".join(value.split()).strip(_TRIM)


RELATED_LABEL = re.compile(
    r"^(?:"
    # English
    r"related(?: (?:stories|story|articles?|posts?|coverage|content|links|news|reading|items|reads|features))?"
    r"|(?:more|further) on (?:this|the) (?:story|topic|subject|issue)|more on(?: [^ ].{0,40})?"
    r"|more (?:from|about|in|by) .{1,40}|more (?:like this|stories like this|on this)"
    r"|read (?:next|this next|more|also|on)|what to read next|up next|next (?:up|on .{1,30}|story|article|post)"
    r"|also (?:read|see|on .{1,30})|you (?:may|might) also (?:like|enjoy|be interested in)"
    r"|(?:you may|you might) (?:like|have missed)|if you liked this.*|recommended(?: (?:for you|reading"
    r"|stories|articles))?"
    r"|editor'?s'? (?:recommendations?|picks for you)|previous (?:post|article|story)|next (?:post|article|story)"
    r"|more (?:posts|stories|articles) in this series|in this series|part of (?:our|the|this) (?:collection|series).*"
    r"|related post|related article|keep reading|don't miss"
    # German
    r"|(?:mehr|weitere?s?) (?:zum|zu diesem) thema|artikel zum thema|verwandte (?:artikel|themen|beiträge)"
    r"|lesen sie (?:auch|mehr|weiter)|auch interessant|weitere artikel|mehr (?:aus|von|über|zu) .{1,40}"
    r"|das könnte sie (?:auch )?interessieren|passend zum thema|zum thema|weiterlesen"
    # French
    r"|(?:à|a) lire (?:aussi|également|egalement)|lire aussi|sur le m(?:ê|e)me sujet|articles? (?:li(?:é|e)s"
    r"|similaires|connexes)"
    r"|voir aussi|dans la m(?:ê|e)me rubrique|(?:plus|encore plus) (?:de|d'|sur) .{1,40}|(?:à|a) d(?:é|e)couvrir aussi"
    # Spanish and Portuguese
    r"|(?:noticias|art(?:í|i)culos|not(?:í|i)cias|mat(?:é|e)rias) relacionad[oa]s|relacionad[oa]s|te puede interesar"
    r"|tambi(?:é|e)n te puede interesar|lee (?:también|tambien|m(?:á|a)s)|m(?:á|a)s sobre .{1,40}"
    r"|leia (?:tamb(?:é|e)m|mais)"
    r"|veja (?:tamb(?:é|e)m|mais)|saiba mais|mais sobre .{1,40}"
    # Italian
    r"|articoli correlati|notizie correlate|correlati|leggi anche|potrebbe interessarti|ti potrebbe interessare"
    r"|altro su .{1,40}|(?:potrebbero|ti potrebbero) interessar(?:e|ti)"
    # Dutch
    r"|gerelateerde? (?:artikelen|berichten|nieuws)|gerelateerd|lees (?:ook|meer|verder)|meer over .{1,40}"
    r"|dit vind je misschien ook leuk|ook interessant"
    # Swedish, Danish, Norwegian
    r"|relaterade (?:artiklar|nyheter)|relaterat|läs (?:också|även|mer)|liknande artiklar|fler artiklar"
    r"|relaterede (?:artikler|nyheder)|relateret|læs (?:også|mere)|relaterte (?:artikler|saker|nyheter)|relatert"
    r"|les (?:også|mer)|mer om .{1,40}|mere om .{1,40}"
    # Finnish
    r"|aiheeseen liittyv(?:ät|iä)(?: artikkelit| jutut| uutiset)?|lue (?:myös|lisää)|lisää aiheesta.{0,40}"
    r"|samasta aiheesta"
    # Polish, Czech, Slovak
    r"|powiązane(?: artykuły| tematy)?|podobne artykuły|(?:czytaj|przeczytaj|zobacz) (?:też|także|również|więcej)"
    r"|więcej o .{1,40}|související(?: články)?|(?:čtěte|přečtěte si) (?:také|též)|více o .{1,40}"
    r"|mohlo by vás zajímat|súvisiace(?: články)?|(?:čítajte|prečítajte si) (?:aj|tiež)|mohlo by vás zaujímať"
    # Russian, Ukrainian
    r"|читайте (?:также|еще|ещё|також)|по теме|по темі|(?:ещё|еще|больше) по теме|материалы по теме"
    r"|(?:похожие|связанные) (?:статьи|материалы|новости)|смотрите также|схожі (?:статті|матеріали|новини)"
    r"|дивіться також|більше на тему"
    # Turkish, Hungarian, Indonesian, Romanian, Greek
    r"|ilgili (?:haberler|yazılar|içerikler)|benzer (?:haberler|yazılar)|bunlar da ilginizi çekebilir"
    r"|kapcsolódó(?: cikkek| hírek| tartalmak)?|ezt is ajánljuk|ez(?:ek)? is érdekelhet(?:nek)?|további cikkek"
    r"|(?:berita|artikel) terkait|terkait|baca juga"
    r"|articole (?:similare|corelate|recomandate)|cite[șşs]te [șşs]i|[șşs]tiri similare|mai multe despre .{1,40}"
    r"|σχετικά(?: άρθρα| θέματα| νέα)?|διαβάστε (?:επίσησ|ακόμα|ακόμη)|περισσότερα για .{1,40}"
    r")$"
)
RELATED_LABEL_CJK = re.compile(
    r"関連記事|関連ニュース|あわせて読みたい|合わせて読みたい|次の記事|前の記事|関連する記事|こちらもおすすめ"
    r"|相关(?:文章|新闻|阅读|报道)|相關(?:文章|新聞|閱讀|報導)|延伸阅读|延伸閱讀|推荐阅读|推薦閱讀"
    r"|관련\s?기사|관련\s?뉴스|함께\s?(?:읽기|보면 좋은|볼만한)|추천\s?기사|이전\s?글|다음\s?글"
)

SPONSORED_LABEL = re.compile(
    r"^(?:"
    r"sponsored(?: (?:content|links?|stories|story|posts?|articles?|resources|features?|by .{1,40}|listings?))?"
    r"|(?:from|by) (?:our|the) (?:sponsors?|partners?|advertisers?)|thanks to our (?:partners|sponsors)"
    r"|(?:.{1,30} )?paid partners?|paid (?:content|post|partnership|promotion)|partner (?:content|offers?|stories)"
    r"|promoted(?: (?:content|stories|links|by .{1,40}))?|promotion|promotions|advertorial|advertiser content.*"
    r"|(?:.{1,40} )?from our sponsors?|around the web|from (?:around )?the web|more from the web.*|elsewhere on the web"
    r"|white ?papers?|sponsored financial content|presented by .{1,40}|brought to you by .{1,40}"
    r"|in partnership with .{1,40}"
    r"|affiliate|pr|gesponsert|partnerinhalte?|sponsorisé|sponsorise|contenu sponsorisé"
    r"|contenus? sponsoris(?:é|e)s?|contenu partenaire|patrocinado|contenido patrocinado"
    r"|conte(?:ú|u)do patrocinado|sponsorizzato|contenuti sponsorizzati|gesponsord"
    r"|partnercontent|スポンサー(?:リンク)?|提供|タイアップ"
    r"|sponsrat(?: innehåll)?|i samarbete med .{1,40}|sponsoreret(?: indhold)?|annoncørindhold|sponset(?: innhold)?"
    r"|annonsørinnhold|kaupallinen yhteistyö.{0,40}|sponsoroitu(?: sisältö)?|artykuł sponsorowany"
    r"|materiał (?:sponsorowany|partnera)|treści sponsorowane|komerční sdělení|komerčná prezentácia"
    r"|на правах рекламы|на правах реклами|партн[её]рский материал|партнерський матеріал"
    r"|赞助内容|贊助內容|推广|推廣|협찬|스폰서|sponsorlu(?: içerik)?|szponzorált(?: tartalom)?"
    r"|fizetett (?:hirdetés|tartalom)|konten bersponsor|con[țţt]inut sponsorizat|sponsorizat"
    r"|χορηγούμενο(?: περιεχόμενο)?"
    r")$"
)
"""A heading of a sponsored block, or a label on one item (``Sponsored``, ``Paid Content``, ``PR``)."""

AD_LABEL = re.compile(
    r"^(?:advertisement|advertising|ad|ads|anzeige|werbung|publicit(?:é|e)|publicidad|publicidade|pubblicit(?:à|a)"
    r"|advertentie|reklame|広告|annons|reklam|reklama|реклама|реклами|mainos|annonse|hirdetés|iklan|publicitate"
    r"|διαφήμιση|광고|广告|廣告)$"
)
"""The label above a display-ad slot: its links are sponsored only when the slot is one item linking
to another site (the slot's image went with the ad servers; a label above site links is layout)."""

OTHER_LABEL = re.compile(
    r"^(?:"
    r"(?:most|the most) (?:popular|read|viewed|shared|emailed|commented|watched|recent)(?: .{0,40})?"
    r"|popular(?: .{0,30})?"
    r"|trending(?: .{0,30})?|latest(?: .{0,30})?|top (?:stories|news|picks|videos)|more stories|more news"
    r"|editor'?s'? picks?"
    r"|related (?:topics|tags|searches|videos?|terms|categories)|tags?|topics?|share(?: this.*)?|follow us.*"
    r"|newsletters?|sign up.*|subscribe.*|comments?|breaking news|just in|what's hot|hot (?:stories|topics)"
    r"|meistgelesen|meist gelesen|beliebt(?:e artikel)?|neueste(?: artikel)?|aktuell|(?:top-)?themen\w{0,12}"
    r"|les plus lus|populaire|(?:à|a) la une|derni(?:è|e)res? (?:nouvelles|infos|actualit(?:é|e)s)"
    r"|lo m(?:á|a)s le(?:í|i)do|m(?:á|a)s le(?:í|i)d[oa]s|(?:ú|u)ltimas noticias|tendencias"
    r"|pi(?:ù|u) lett[ei]|ultime notizie|di tendenza|meest gelezen|populair|laatste nieuws"
    r"|mais lidas|(?:ú|u)ltimas not(?:í|i)cias|em alta"
    r"|mest (?:lästa|læste|leste|delte|delade)|senaste nytt|seneste nyt|siste nytt|luetuimmat|uusimmat"
    r"|najczęściej czytane|najpopularniejsze|najnowsze|nejčtenější|nejnovější|najčítanejšie|najnovšie"
    r"|самое (?:читаемое|популярное)|популярное|последние новости|найпопулярніше|останні новини"
    r"|en çok okunan(?:lar)?|son dakika|legolvasottabb|legfrissebb|terpopuler|terbaru|cele mai citite"
    r"|ultimele [șşs]tiri|(?:πιο )?δημοφιλή|τελευταία νέα"
    r")$"
)
OTHER_LABEL_CJK = re.compile(
    r"ランキング|新着|人気記事|最新記事|注目記事|热门|熱門|排行|最新(?:文章|新闻|新聞)|많이 본|인기\s?기사|최신\s?기사"
)

RELATED_PREFIX = re.compile(
    r"^(?:related(?: (?:post|article|story|coverage))?|see also|also read|read(?: more)?|more|story|read next"
    r"|recommended"
    r"|lesen sie auch|mehr zum thema|lire aussi|(?:à|a) lire aussi|lee tambi(?:é|e)n|leia tamb(?:é|e)m|leggi anche"
    r"|lees ook|関連記事|läs (?:också|även)|læs også|les også|lue myös|czytaj (?:też|także|również)"
    r"|(?:čtěte|přečtěte si) (?:také|též)|čítajte aj|читайте (?:также|еще|ещё|також)|по теме|baca juga"
    r"|cite[șşs]te [șşs]i|διαβάστε (?:επίσησ|ακόμα)|관련\s?기사|相关阅读|延伸阅读|相關閱讀|延伸閱讀)$"
)
"""The label of an in-story cross-link: ``Related: <headline>``, ``[Read: <headline>]``, ``SEE ALSO: …``."""

GENERIC_LINK_TEXT = re.compile(
    r"^(?:\d+ (?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?) ago|just now|yesterday|today"
    r"|read (?:more|article|story|the story|full story|on)|more|see (?:all|more)|view (?:all|more)"
    r"|continue(?: reading)?"
    r"|next|previous|prev|back|home|comments?|\d+ comments?|share|tweet|email|print|here|click here|learn more"
    r"|shop now|buy now|weiterlesen|mehr|lire la suite|leer m(?:á|a)s|leggi tutto|lees meer|leia mais|続きを読む"
    r"|läs mer|læs mere|les mer|lue lisää|czytaj (?:więcej|dalej)|(?:čtěte|číst) (?:více|dál)|čítajte ďalej"
    r"|читать (?:далее|дальше)|подробнее|читати далі|devamını oku|tovább|selengkapnya|cite[șşs]te mai mult"
    r"|διαβάστε περισσότερα|더\s?보기|阅读全文|閱讀全文|查看更多)$"
)

PREV_NEXT_WORDS = frozenset({"prev", "previous", "next", "prevnext", "nextprev", "older", "newer"})
PREV_NEXT_CONTEXT = frozenset(
    {"post", "article", "story", "entry", "pagination", "nav", "navigation", "pager", "links"}
)

RELATED_CLASS_RUNS = (
    ("related",),
    ("relatedposts",),
    ("more", "on"),
    ("more", "from"),
    ("more", "like", "this"),
    ("read", "next"),
    ("readnext",),
    ("read", "this", "next"),
    ("up", "next"),
    ("see", "also"),
    ("story", "alsos"),
    ("also", "read"),
    ("recirculation", "related"),
)
OTHER_CLASS_WORDS = frozenset(
    {
        "popular",
        "trending",
        "mostread",
        "mostpopular",
        "latest",
        "breadcrumb",
        "breadcrumbs",
        "tags",
        "tag",
        "topics",
        "share",
        "sharing",
        "social",
        "comments",
        "comment",
        "menu",
        "nav",
        "navigation",
        "newsletter",
        "subscribe",
        "ranking",
    }
)
OTHER_CLASS_RUNS = (("most", "read"), ("most", "popular"), ("most", "viewed"), ("top", "stories"))
SPONSORED_CLASS_WORDS = frozenset({"sponsored", "sponsor", "sponsors", "promoted", "advertorial", "paidpost"})
SPONSORED_CLASS_RUNS = (("native", "ad"), ("paid", "content"), ("paid", "post"), ("partner", "content"))

WIDGET_VENDORS = {
    "outbrain": "Outbrain",
    "ob": "Outbrain",
    "taboola": "Taboola",
    "trc": "Taboola",
    "zergnet": "ZergNet",
    "revcontent": "Revcontent",
    "mgid": "MGID",
    "nativo": "Nativo",
    "plista": "plista",
    "ligatus": "Ligatus",
    "yieldmo": "Yieldmo",
    "dianomi": "Dianomi",
    "content.ad": "Content.ad",
}
"""Class-name words of recommendation-widget vendors (their items are paid links to other sites)."""

AFFILIATE_HOSTS = (
    "amzn.to",
    "amzn.com",
    "amzn.eu",
    "a.co",
    "geni.us",
    "zdbb.net",
    "go.skimresources.com",
    "redirect.viglink.com",
    "viglink.com",
    "linksynergy.com",
    "anrdoezrs.net",
    "jdoqocy.com",
    "tkqlhce.com",
    "dpbolvw.net",
    "kqzyfj.com",
    "awin1.com",
    "shareasale.com",
    "prf.hn",
    "pjtra.com",
    "pntra.com",
    "avantlink.com",
    "tradedoubler.com",
    "rstyle.me",
    "shopstyle.it",
    "howl.me",
    "go.redirectingat.com",
    "fave.co",
    "tidd.ly",
    "shop-links.co",
    "ojrq.net",
    "sjv.io",
    "evyy.net",
    "7eer.net",
    "beap.gemini.yahoo.com",
    "adsrvr.org",
    "clickbank.net",
    "hop.clickbank.net",
    "webgains.com",
    "zanox.com",
    "ad.zanox.com",
    "affiliate.rakuten.com",
    "click.linksynergy.com",
    "partners.webmasterplan.com",
)
"""Affiliate networks' and ad servers' click hosts: a link through one earns the publisher money."""

AMAZON_HOSTS = re.compile(r"(^|\.)amazon\.(com|co\.uk|de|fr|es|it|nl|ca|co\.jp|com\.au|in|com\.br|com\.mx)$")
AFFILIATE_PARAMS = frozenset(
    {
        "ascsubtag",
        "linkcode",
        "affid",
        "aff_id",
        "affiliate_id",
        "affiliateid",
        "aff_sub",
        "afftrack",
        "irgwc",
        "ranmid",
        "raneaid",
        "ransiteid",
        "pubref",
        "clickref",
        "awc",
        "sscid",
        "cjevent",
        "zanpid",
    }
)
"""URL parameters that carry an affiliate's id (Amazon Associates ``tag`` is checked on Amazon hosts)."""
PAID_UTM = re.compile(
    r"^(affiliates?|sponsor(ed|ship)?|cpc|ppc|paid|native|advertisement|advertising|partner(ship)?|p-cpc)$"
)
PAID_UTM_SOURCE = re.compile(r"^(outbrain|taboola|zergnet|revcontent|mgid|native-outbrain|yahoo-gemini)$")
AFFILIATE_VALUE = re.compile(r"linkshare|affiliate|\baff\b", re.IGNORECASE)

SPONSORED_PATH = re.compile(
    r"(^|[./_-])(white-?papers?|sponsored|advertorials?|promoted|partner-content|paid-post|paid-content)"
    r"([./_-]|$)",
    re.IGNORECASE,
)
COMMERCE_TEXT = re.compile(
    r"^(?:(?:buy|shop|order)(?: (?:it|now|here|today)(?: (?:on|at|from) .{1,30})?|(?: it)? (?:on|at|from) .{1,30})"
    r"(?: for .{1,20})?"
    r"|get (?:it|one|yours)(?: (?:on|at|from) (?!.*\b(?:play|app|apps)\b).{1,30})?(?: for .{1,20})?"
    r"|check (?:the )?price(?: (?:on|at) .{1,30})?"
    r"|see (?:it|price) (?:on|at) .{1,30}|view (?:deal|offer)(?: (?:on|at) .{1,30})?"
    r"|jetzt kaufen|kaufen|zum angebot|acheter|voir l'offre|comprar(?: ahora)?|ver oferta|acquista(?: ora)?"
    r"|kopen|bestellen|購入する?|amazonで購入)$"
)
"""A purchase button's text ("Buy Now", "Get it on Amazon for $58.99", "Check price at …",
"Jetzt kaufen"): the link is a shop link, paid or not, and belongs with the sponsored items."""

DISCLOSURE_TEXT = re.compile(
    r"^(?:.{0,40} logo|.{0,40} (?:invented|powered|ads) by .{1,30}|adchoices|ad choices|why this ad\??"
    r"|about (?:these|our) ads|recommended by|by taboola"
    r"|by outbrain"
    r"|powered by .{1,30}|what(?:'s| is) this\??|sponsored|promoted|ad|ads|advertisement|disclosures?|feedback)$"
)
