"""Every set of element names the closing-tag engine uses, named after the WHATWG HTML standard.

One home for them: the tree builder (`tree`, `body`, `modes`, `tables`, `builder`), the
tokenizer driver (`parse`), the eval (`ghostpen eval html`) and the tests all read these
objects, so what the eval counts as a void element is exactly what the parser pops at once.

First the element categories of "parsing HTML documents" (void, special, formatting, raw text,
the scopes, the implied end tags, the integration points), then the lists that individual
insertion-mode rules name ("A start tag whose tag name is one of: ...").

Scope sets and `SPECIAL` hold element *keys*: the lowercase name, prefixed `s:` for SVG and
`m:` for MathML elements (see `tree.Elem`); the other sets hold HTML tag names.
"""

from __future__ import annotations


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- element categories ------------------------------------------------------------------------
# "void elements" (the standard's list, plus the obsolete ones parsed the same way)
VOID = _names(
    "area base br col embed hr img input link meta source track wbr "
    "basefont bgsound frame keygen param"
)
# elements whose start tag switches the tokenizer to RAWTEXT (scripting enabled) or RCDATA
RAWTEXT = _names("style xmp iframe noembed noframes noscript")
RCDATA = _names("textarea title")
# "formatting" elements: kept in the list of active formatting elements, with their attributes
FORMATTING = _names("a b big code em font i nobr s small strike strong tt u")
# the formatting elements without special start-tag rules ("a" and "nobr" have their own)
FORMATTING_PLAIN = FORMATTING - {"a", "nobr"}

# HTML integration points and MathML text integration points (foreign content)
SVG_HTML_INTEGRATION = _names("foreignobject desc title")
MATHML_TEXT_INTEGRATION = _names("m:mi m:mo m:mn m:ms m:mtext")  # keys
MATHML_TEXT_KEEPS_FOREIGN = _names("mglyph malignmark")  # start tags that stay MathML there
HTML_ENCODINGS = frozenset(
    ("text/html", "application/xhtml+xml")
)  # annotation-xml as an integration point
_FOREIGN_SCOPE = "m:mi m:mo m:mn m:ms m:mtext m:annotation-xml s:foreignobject s:desc s:title"

# "has an element in scope" and its variants (keys)
SCOPE = _names("applet caption html table td th marquee object template " + _FOREIGN_SCOPE)
LIST_ITEM_SCOPE = SCOPE | {"ol", "ul"}
BUTTON_SCOPE = SCOPE | {"button"}
TABLE_SCOPE = _names("html table template")
SELECT_SCOPE_EXCEPT = _names("optgroup option")  # select scope: every element but these

# the "special" category (keys): "any other end tag" and the adoption agency stop at them
SPECIAL = _names(
    "address applet area article aside base basefont bgsound blockquote body br button caption "
    "center col colgroup dd details dir div dl dt embed fieldset figcaption figure footer form "
    "frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img input keygen li link "
    "listing main marquee menu meta nav noembed noframes noscript object ol p param plaintext pre "
    "script search section select source style summary table tbody td template textarea tfoot "
    "th thead title tr track ul wbr xmp " + _FOREIGN_SCOPE
)

# "generate implied end tags", and "... all implied end tags thoroughly"
IMPLIED_END = _names("dd dt li optgroup option p rb rp rt rtc")
IMPLIED_END_THOROUGH = IMPLIED_END | _names("caption colgroup tbody td tfoot th thead tr")

# start tags whose attributes the tree builder reads: formatting elements (the Noah's Ark
# clause), input (type=hidden), annotation-xml (encoding); the tokenizer skips the others'
WANT_ATTRS = FORMATTING | {"input", "annotation-xml"}

# --- "reset the insertion mode appropriately" --------------------------------------------------
RESET_UNLESS_LAST = _names("td th head")  # these pick their mode only when not the last node

# --- "in head" ---------------------------------------------------------------------------------
# the start tags "in body", "after head" and "in template" hand to the "in head" rules
HEAD_TAGS = _names("base basefont bgsound link meta noframes script style template title")
VOID_IN_HEAD = VOID & HEAD_TAGS  # base basefont bgsound link meta
RAW_TEXT_IN_HEAD = _names("title noscript noframes style")  # "script" has script data
HEAD_IGNORED_START = _names("head html")
HEAD_END_AS_ANYTHING = _names("body html br")  # end tags "in head"/"after head" do not ignore
BEFORE_HEAD_END_AS_ANYTHING = _names("head body html br")  # the same "before html/head"

# --- "in body" ---------------------------------------------------------------------------------
CLOSES_P = _names(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer header hgroup main menu nav ol p search section summary ul"
)
BLOCK_END = _names(
    "address article aside blockquote button center details dialog dir div dl fieldset "
    "figcaption figure footer header hgroup listing main menu nav ol pre search section summary ul"
)
HEADINGS = _names("h1 h2 h3 h4 h5 h6")
DD_DT = _names("dd dt")
LIST_ITEM_WALK_PASSES = _names("address div p")  # special elements a li/dd/dt walk goes past
PRE_LISTING = _names("pre listing")
VOID_KEEPS_FRAMESET_OK = _names("param source track")  # void, no reconstruct, frameset-ok kept
RAW_TEXT_KEEPS_FRAMESET_OK = _names("noembed noscript")
OPTIONS = _names("optgroup option")
RUBY = _names("rb rtc rp rt")
RUBY_TEXT = _names("rp rt")  # these generate implied end tags except for rtc
FOREIGN_ROOTS = _names("math svg")
MARKER_ELEMENTS = _names("applet marquee object")  # insert a marker in the formatting list
IGNORED_IN_BODY = _names("caption col colgroup frame head tbody td tfoot th thead tr")

# --- foreign content ---------------------------------------------------------------------------
BREAKOUT = _names(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img "
    "li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var"
)
FONT_BREAKOUT_ATTRS = _names("color face size")  # a <font> with one of these breaks out too

# --- tables ------------------------------------------------------------------------------------
TABLE_CTX = _names("table template html")  # "clear the stack back to a table context"
TBODY_CTX = _names("tbody tfoot thead template html")  # "... to a table body context"
ROW_CTX = _names("tr template html")  # "... to a table row context"
TABLE_SECTIONS = _names("tbody thead tfoot")
CELLS = _names("td th")
ROWS_AND_CELLS = _names("td th tr")  # "in table": they imply a tbody
TABLE_HEAD_START = _names("style script template")  # "in table": handed to "in head"
FOSTER_TEXT = _names("table tbody template tfoot thead tr")  # "in table text" current nodes
TABLE_IGNORED_END = _names("body caption col colgroup html tbody td tfoot th thead tr")
CAPTION_ENDERS = _names("caption col colgroup tbody td tfoot th thead tr")
TBODY_ENDERS = _names("caption col colgroup tbody tfoot thead")  # close the table body
ROW_ENDERS = TBODY_ENDERS | {"tr"}  # start tags that close the row
TBODY_IGNORED_END = _names("body caption col colgroup html td th tr")
ROW_IGNORED_END = _names("body caption col colgroup html td th")
CELL_IGNORED_END = _names("body caption col colgroup html")
CELL_CLOSING_END = _names("table tbody tfoot thead tr")  # end tags that close the cell first

# --- select ------------------------------------------------------------------------------------
SELECT_OPTIONS = _names("option optgroup hr")
SELECT_CLOSERS = _names("select input keygen textarea")  # start tags that close the select
SELECT_HEAD_START = _names("script template")
SELECT_ENDERS = _names("caption table tbody tfoot thead tr td th")  # "in select in table"
