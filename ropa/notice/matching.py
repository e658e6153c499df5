"""How a register entry is recognised in a notice's words: names with their aliases, lawful bases by their words,
transfer safeguards, retention periods. Matching leans to finding a mention (a false gap costs the DPO's trust);
every match is quoted back, so a loose one is seen."""

import re

from ropa.notice.text import Folded, normalise

#: Legal forms written either way ("Provide CIC" / "Provide Community Interest Company").
LEGAL_FORMS = [("community interest company", "cic"), ("limited", "ltd"), ("public limited company", "plc"),
               ("nhs foundation trust", "nhs ft"), ("nhs trust", "nhs trust"), ("limited liability partnership", "llp"),
               ("company", "co"), ("incorporated", "inc")]
#: Words a long category name is cut at to find its head ("Other health service providers such as hospitals").
HEAD_CUTS = (" such as ", " including ", " who ", " that ", " which ", " where ", " of the ", " providing ", " for ")
#: Words that say a recipient's data leaves the UK.
ABROAD = ("outside the uk", "outside of the uk", "outside the united kingdom", "outside of the united kingdom",
          "outside the eea", "outside of the eea", "overseas", "abroad", "international transfer",
          "transferred internationally", "third country", "third countries", "outside the european economic area")

#: Words for each Art. 6 basis, Art. 9 condition and Schedule 1 condition, beside its code and label.
BASIS_WORDS = {
    "6(1)(a)": ["consent"],
    "6(1)(b)": ["contract", "performance of a contract"],
    "6(1)(c)": ["legal obligation", "required by law", "comply with the law"],
    "6(1)(d)": ["vital interests", "vital interest"],
    # Not "public interest" alone: notices use it for the Art. 9 public health and archiving conditions too.
    "6(1)(e)": ["public task", "task carried out in the public interest", "official authority"],
    "6(1)(ea)": ["recognised legitimate interest", "recognised legitimate interests"],
    "6(1)(f)": ["legitimate interests", "legitimate interest"],
    "9(2)(a)": ["explicit consent"],
    "9(2)(b)": ["social protection", "social security", "employment law", "employment and social security"],
    "9(2)(c)": ["vital interests", "vital interest"],
    "9(2)(d)": ["not for profit", "not-for-profit"],
    "9(2)(e)": ["made public", "manifestly made public"],
    "9(2)(f)": ["legal claims", "judicial acts", "courts acting in their judicial capacity"],
    "9(2)(g)": ["substantial public interest"],
    "9(2)(h)": ["health or social care", "health and social care", "provision of health", "provision of social care",
                "medical diagnosis", "preventive or occupational medicine", "preventative or occupational medicine"],
    "9(2)(i)": ["public health"],
    "9(2)(j)": ["archiving", "scientific or historical research", "statistical purposes"],
}

#: Words that name each transfer mechanism.
MECHANISM_WORDS = {
    "adequacy": ["adequacy", "adequate", "approved by regulations", "adequacy regulations"],
    "uk_us_data_bridge": ["data bridge", "data privacy framework", "uk extension"],
    "idta": ["international data transfer agreement", "idta"],
    "uk_addendum": ["uk addendum", "international data transfer addendum", "standard contractual clauses", "scc",
                    "sccs"],
    "bcr": ["binding corporate rules", "bcr", "bcrs"],
    "other_art46": ["article 46", "art 46"],
    "legacy_sccs": ["standard contractual clauses", "scc", "sccs", "model clauses"],
    **{m: ["article 49", "art 49", "derogation"] for m in (
        "art49_exception", "art49_explicit_consent", "art49_contract_with_subject", "art49_contract_for_subject",
        "art49_public_interest", "art49_legal_claims", "art49_vital_interests", "art49_public_register",
        "art49_compelling_interests")},
}
MECHANISM_WORDS["art49_explicit_consent"] = [*MECHANISM_WORDS["art49_explicit_consent"], "explicit consent"]

COUNTRY_ALIASES = {"US": ["United States", "United States of America", "USA", "U S A"],
                   "GB": ["United Kingdom", "UK", "Great Britain"], "KR": ["South Korea", "Republic of Korea"],
                   "IN": ["India"], "AE": ["UAE", "United Arab Emirates"], "CH": ["Switzerland"]}

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
           "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
           "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a": 1, "an": 1}
UNITS = {"day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "month": "months", "months": "months",
         "year": "years", "years": "years"}
_NUMBER = r"(\d+|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + r")(?: (one|two|three|four|five|six|seven|eight|nine))?"
PERIOD = re.compile(r"(?<![a-z0-9])" + _NUMBER + r" (days?|weeks?|months?|years?)(?![a-z0-9])")


def name_variants(name: str, extra: tuple[str, ...] = ()) -> list[str]:
    """The ways a notice may write a name: as it is, without its bracketed part, with its legal form the other way
    round, and (for a long category name) its head before "such as", "including" and the like."""
    variants = [name, *extra]
    bare = re.sub(r"\s*\([^)]*\)", "", name).strip()
    if bare and bare != name:
        variants.append(bare)
    for text in list(variants):
        folded = f" {normalise(text)} "
        for long, short in LEGAL_FORMS:
            for a, b in ((f" {long} ", f" {short} "), (f" {short} ", f" {long} ")):
                if a in folded:
                    variants.append(folded.replace(a, b).strip())
    for text in list(variants):
        folded = f" {normalise(text)} "
        for cut in HEAD_CUTS:
            head = folded.split(cut)[0].strip() if cut in folded else ""
            if len(head.split()) >= 2 and head != folded.strip():
                variants.append(head)
    return list(dict.fromkeys(v for v in variants if normalise(v)))


def first_mention(notice: Folded, variants: list[str]) -> tuple[int, int] | None:
    """The original-text span of the earliest mention of any variant (the fullest variants are tried first)."""
    for variant in variants:
        hits = notice.find_all(variant)
        if hits:
            return notice.span(hits[0], variant)
    return None


def mentions(notice: Folded, variants: list[str]) -> list[tuple[int, int]]:
    """Every original-text span where a variant is mentioned."""
    spans = []
    for variant in variants:
        spans += [notice.span(at, variant) for at in notice.find_all(variant)]
    return sorted(set(spans))


def basis_variants(code: str, label: str) -> list[str]:
    """The words for a basis: its code in the ways it is written, its label, and the words people use for it."""
    variants = [*BASIS_WORDS.get(code, []), label] if label else list(BASIS_WORDS.get(code, []))
    if code.startswith(("6(", "9(")):
        variants += [f"article {code}", f"art {code}", code]
    elif code.startswith("Sch1"):
        number = code.split()[-1]
        variants += [f"schedule 1 paragraph {number}", f"schedule 1 para {number}", f"sch 1 para {number}"]
    return [v for v in dict.fromkeys(variants) if v]


def periods_in(text: str) -> list[tuple[int, str, int, int]]:
    """Retention periods written in a normalised stretch of text: (value, unit, start, end) in that text."""
    found = []
    for m in PERIOD.finditer(text):
        value = int(m.group(1)) if m.group(1).isdigit() else NUMBERS[m.group(1)]
        if m.group(2):
            value += NUMBERS[m.group(2)]
        found.append((value, UNITS[m.group(3)], m.start(), m.end()))
    return found


def same_period(a: tuple[int, str], b: tuple[int, str]) -> bool:
    """1 year and 12 months are the same period; 30 days and a month are not."""
    def months(value: int, unit: str) -> tuple[int, str]:
        return (value * 12, "months") if unit == "years" else (value * 7, "days") if unit == "weeks" else (value, unit)
    return months(*a) == months(*b)


#: Words too general to say which records a retention period is about.
GENERAL = {"records", "record", "data", "information", "personal", "other", "details", "your", "from", "with"}


def subject_words(name: str) -> list[str]:
    """The telling words of a retention rule's name, singular and plural ("CCTV images" → cctv, images, image), so
    a period can be found beside "Images captured by CCTV"."""
    words = []
    for word in normalise(name).split():
        if word in GENERAL or len(word) < 3:
            continue
        words += [word, word[:-1]] if word.endswith("s") and len(word) > 4 else [word]
    return list(dict.fromkeys(words))
