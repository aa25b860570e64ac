"""Read rendered pages the way a visitor does: visible text, and the cells of tables."""

from html.parser import HTMLParser


class _Text(HTMLParser):
    BLOCK = {"p", "li", "dt", "dd", "tr", "h1", "h2", "h3", "h4", "th", "td", "caption", "div", "section"}

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0
        self.tables, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "head"}:
            self.skip += 1
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
            self.tables[-1].append(self._row)
        elif tag in {"th", "td"} and self._row is not None:
            self._cell = []
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in {"script", "style", "head"}:
            self.skip -= 1
        if tag in {"th", "td"} and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.skip:
            return
        self.parts.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def visible_text(html: str) -> str:
    """All visible text with whitespace collapsed to single spaces."""
    return " ".join("".join(parse(html).parts).split())


def tables(html: str) -> list[list[list[str]]]:
    return parse(html).tables


class _Form(HTMLParser):
    """Collects what a browser would submit from the first form with method=post."""

    def __init__(self):
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self.in_form = False
        self._select = None
        self._textarea = None
        self._selected_any = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post" and not self.in_form:
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
            elif kind not in {"submit", "button", "image", "file"}:
                self.data.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select, self._selected_any, self._first = name, False, None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = attrs.get("value", "")
            if "selected" in attrs:
                self.data.append((self._select, attrs.get("value", "")))
                self._selected_any = True
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self.in_form = False

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data.removeprefix("\n") if not self._textarea[1] else data


def form_data(html: str) -> dict[str, list[str]]:
    """The values a browser would post from the page's form, as {name: [values]}."""
    parser = _Form()
    parser.feed(html)
    result: dict[str, list[str]] = {}
    for name, value in parser.data:
        result.setdefault(name, []).append(value)
    return result
