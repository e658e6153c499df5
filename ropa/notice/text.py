"""A published notice as plain text, and that text normalised for matching names in it.

HTML is read with the standard library's html.parser (never with regular expressions): script, style and template
contents are dropped, block elements become line breaks. Normalised text is casefolded letters and digits with single
spaces, apostrophes dropped ("Barnardo's" and "Barnardo’s" both read "barnardos"), "&" read as "and", and each of its
characters remembers where it came from, so a match can be quoted in the notice's own words.
"""

import unicodedata
from html.parser import HTMLParser

BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
          "section", "article", "header", "footer", "main", "nav", "aside", "blockquote", "dt", "dd", "hr", "pre",
          "address", "figcaption", "caption", "title"}
HIDDEN = {"script", "style", "template", "noscript", "head"}
APOSTROPHES = {"'", "\u2019", "\u2018", "\u02bc", "`"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def notice_text(content: str, *, html: bool = False) -> str:
    """The words of a notice: HTML with its tags stripped, or text as it is."""
    if not html:
        return content
    parser = _Text()
    parser.feed(content)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def decode(data: bytes) -> str:
    """Uploaded bytes as text (UTF-8, or Windows-1252 as older sites save); ValueError when they are not text."""
    if b"\x00" in data:
        raise ValueError("the file is not text (it holds NUL bytes): give the notice as .txt or .html")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ValueError("the file is not text in UTF-8 or Windows-1252: save it as UTF-8 and try again") from None


def fold(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index in text it came from."""
    out: list[str] = []
    where: list[int] = []
    space = True
    for index, char in enumerate(text):
        if char in APOSTROPHES:
            continue
        if char == "&":
            pieces = " and "
        else:
            pieces = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            pieces = pieces.casefold()
        for c in pieces:
            if c.isalnum():
                out.append(c)
                where.append(index)
                space = False
            elif not space:
                out.append(" ")
                where.append(index)
                space = True
    return "".join(out).strip(), where


def normalise(text: str) -> str:
    return fold(text)[0]


class Folded:
    """A notice's normalised text, searchable by whole words, with excerpts in its own words."""

    def __init__(self, text: str):
        self.text = text
        self.folded, self.where = fold(text)
        self.padded = f" {self.folded} "

    def find_all(self, phrase: str) -> list[int]:
        """Where the normalised phrase starts in the folded text, as whole words."""
        needle, found, start = f" {normalise(phrase)} ", [], 0
        if needle.strip() == "":
            return []
        while (at := self.padded.find(needle, start)) >= 0:
            found.append(at)
            start = at + 1
        return found

    def span(self, at: int, phrase: str) -> tuple[int, int]:
        """The original text's (start, end) for a match found at folded position at."""
        length = len(normalise(phrase))
        first = self.where[min(at, len(self.where) - 1)]
        last = self.where[min(at + length - 1, len(self.where) - 1)]
        return first, last + 1

    def excerpt(self, start: int, end: int, reach: int = 160) -> str:
        """The sentence around [start, end) in the original text, at most reach characters either side, whole
        words, on one line."""
        text = self.text
        stops = [text.rfind(".", 0, max(start - 1, 0)), text.rfind("\n", 0, start)]
        left = max(stops)
        if left < start - reach:
            left = text.find(" ", start - reach, start)
        left = 0 if left < 0 else left + 1
        ends = [i for i in (text.find(". ", end), text.find(".\n", end), text.find("\n", end)) if i >= 0]
        right = min([*ends, len(text)])
        right = right + 1 if right < len(text) and text[right] == "." else right
        if right > end + reach:
            cut = text.rfind(" ", end, end + reach)
            right = cut if cut > 0 else end + reach
        return " ".join(text[left:right].split())
