"""The one lexicon: the English word lists that name-finding, attribution, quotes, retrieval
and the support check share.  Every rule reads its words from here, so that two stages never
disagree about what a title, a reporting verb or a function word is.

Changing a list changes chunk metadata (speakers): bump ``CHUNK_RULES_VERSION`` in
:mod:`assistant.ingest.chunk` with it.
"""

from __future__ import annotations

import re

# Words of rank or office that precede a name in news text ("Defense Secretary Lloyd Austin",
# "Foreign Minister Wang"). They say what someone is, not who, so names are matched without them.
TITLES = frozenset({
    "adm.", "admiral", "adviser", "affairs", "ambassador", "ceo", "chair", "chairman",
    "chairwoman", "chancellor", "chief", "col.", "commissioner", "councilor", "dame", "defence",
    "defense", "deputy", "director", "dr", "dr.", "envoy", "first", "foreign", "former", "gen",
    "gen.", "general", "gov.", "governor", "judge", "justice", "king", "leader", "lord", "lt.",
    "mayor", "minister", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "national", "pope", "premier",
    "president", "prime", "prince", "princess", "prof", "prof.", "professor", "queen", "rep.",
    "representative", "secretary", "security", "sen.", "senator", "sir", "spokesman",
    "spokesperson", "spokeswoman", "staff", "state", "vice",
})  # fmt: skip

# Words that make a name an organisation's ("Eastman Kodak Co", "Bank of Japan", "The Treasury"),
# not a person's: legal forms and the nouns of institutions, as English news writes them.
ORGANISATION_WORDS = frozenset({
    "ag", "agency", "airlines", "airways", "association", "authority", "bancorp", "bancshares", "bank",
    "board", "bureau", "capital", "center", "centre", "chemical", "co", "college", "commission", "committee",
    "communications", "company", "congress", "corp", "corporation", "cos", "council", "court", "department",
    "embassy", "exchange", "federation", "financial", "foundation", "fund", "government", "group", "holdings",
    "inc", "industries", "institute", "insurance", "international", "investments", "laboratories", "league",
    "llc", "ltd", "magazine", "ministry", "motors", "network", "news", "nv", "office", "organisation",
    "organization", "parliament", "partners", "party", "petroleum", "pharmaceuticals", "plc", "police",
    "press", "reserve", "resources", "sa", "securities", "senate", "service", "services", "systems",
    "television", "times", "treasury", "trust", "union", "university",
})  # fmt: skip

# An unnamed source reporting speech: "a parliamentary official said", "the study said", "analysts said".
# A "he said" after it is theirs, not the last person named.
UNNAMED_SPEECH = re.compile(
    r"\b(?:[Aa]n?|[Tt]he|[Oo]ne|[Ss]ome|[Oo]ther)?\s*(?:[\w-]+\s+){0,3}?"
    r"(?:official|officials|spokesman|spokeswoman|spokesperson|source|sources|analyst|analysts|economist|"
    r"economists|trader|traders|dealer|dealers|banker|bankers|diplomat|diplomats|executive|executives|"
    r"report|study|statement|editorial|newspaper|paper|survey)\s+(?:also\s+)?(?:said|says|told|added|noted)\b"
)

# Verbs that report speech: "X said", "X, a former official, believes", "… was quoted".
REPORTING_VERBS = (
    r"said|says|told|tells|noted|notes|added|adds|warned|warns|stressed|stresses|emphasized|emphasised|"
    r"believes|believed|argued|argues|explained|remarked|wrote|writes|commented|insisted|claimed|urged|"
    r"stated|asserted|observed|predicted|suggested|cautioned|concluded|continued|mentioned|pointed out|"
    r"slammed|criticized|criticised|accused|vowed|announced|replied|responded|declared|admitted|"
    r"was quoted|made clear|called|described|reiterated|acknowledged|expressed"
)
PRONOUN_SPEECH = re.compile(
    r"\b(?:[Hh]e|[Ss]he)\s+(?:also\s+|further\s+|later\s+)?"
    r"(?:said|says|added|adds|noted|warned|stressed|told|argued|explained|insisted|wrote|continued(?!\s+to\b)|emphasized)\b"
    r"|\b(?:said|added|noted|warned)\s+(?:he|she)\b"
)
"""Speech by the last person named: "he said", "she added", "said he"."""

# Capitalised words that start sentences or questions without naming anything.
FUNCTION_WORDS = {
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we", "i", "you",
    "his", "her", "their", "our", "my", "your", "there", "here", "in", "on", "at", "as", "for", "if", "while",
    "when", "where", "what", "who", "whom", "whose", "which", "why", "how", "and", "but", "or", "so", "yet",
    "according", "after", "before", "during", "since", "by", "with", "from", "to", "of", "both", "each",
    "some", "many", "most", "all", "no", "not", "yes", "also", "however", "although", "though", "because",
    "did", "does", "do", "is", "was", "were", "are", "be", "been", "has", "have", "had", "will", "would",
    "can", "could", "should", "may", "might", "must", "one", "two", "three", "mr", "mrs", "ms", "dr",
    "upon", "other", "another", "such", "several", "every", "any", "only", "more", "less", "much", "very",
    "same", "own", "then", "than", "between", "among", "into", "over", "under", "about", "against",
    "just", "even", "still", "quite", "really", "whereas", "instead", "rather",
}  # fmt: skip

MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}
MONTH_ABBREVIATIONS = {m[:3]: i for m, i in MONTHS.items()} | {"sept": 9}

# Words too common to retrieve by (BM25's stop list).
STOPWORDS = set(
    """a an and are as at be been but by did do does for from had has have he her his how i if in into is it
    its me my not of on or our she so than that the their them then there these they this those to us was we
    were what when where which who whom why will with would you your about after also any can could should
    said say says tell told""".split()
)
