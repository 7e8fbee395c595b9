"""A small HTML tree for assertions on the public pages, on the standard library's parser.

It also rejects markup a browser would silently rearrange: a mismatched end tag, or a block
element opened inside a <p>.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
BLOCK = {
    "article", "aside", "blockquote", "details", "div", "dl", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
}  # fmt: skip


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)

    def text(self) -> str:
        """The text of the subtree, whitespace collapsed."""
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else f" {child.text()} ")
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs) -> list["Node"]:
        """Descendants matching the tag, one class and exact attribute values, in order."""
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (
                (tag is None or child.tag == tag)
                and (cls is None or child.has_class(cls))
                and all(child.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
            ):
                found.append(child)
            found.extend(child.find_all(tag, cls=cls, **attrs))
        return found

    def find(self, tag: str | None = None, *, cls: str | None = None, **attrs) -> "Node":
        """The one descendant matching (AssertionError when none or several)."""
        found = self.find_all(tag, cls=cls, **attrs)
        assert len(found) == 1, f"expected one <{tag} class={cls} {attrs}>, found {len(found)}"
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK and any(node.tag == "p" for node in self.stack):
            raise AssertionError(f"<{tag}> opened inside a <p>")
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            raise AssertionError(f"</{tag}> closes <{self.stack[-1].tag}>")
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str | bytes) -> Node:
    """The document tree of `html` (AssertionError on the malformed markup described above)."""
    builder = TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    assert builder.stack == [builder.root], f"unclosed: {[n.tag for n in builder.stack[1:]]}"
    return builder.root


def headings(document: Node) -> list[tuple[int, str]]:
    """(level, text) of every h1–h6, in document order."""
    found: list[tuple[int, str]] = []

    def walk(node: Node) -> None:
        for child in node.children:
            if isinstance(child, Node):
                if re.fullmatch(r"h[1-6]", child.tag):
                    found.append((int(child.tag[1]), child.text()))
                walk(child)

    walk(document)
    return found
