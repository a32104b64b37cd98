"""The SCIM filter grammar (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2): text in, a small immutable AST out.

    filter = parse_filter('userName eq "bjensen@example.com" and active eq true')
    And(children=(Comparison(AttrPath(None, 'userName'), 'eq', 'bjensen@example.com'), Comparison(...)))

The AST is what callers translate (to Django Q objects, say) or evaluate (filter_eval.matches). Attribute names and
operators are case-insensitive. "and" binds tighter than "or"; "not" applies to a parenthesised filter. Inside
brackets (a valuePath) paths are relative to the multi-valued attribute: emails[type eq "work"].

Beyond the ABNF, one form Microsoft's provisioning service sends is accepted: emails[type eq "work"].value eq "x"
(its query for a user matched on the work e-mail) reads as emails[type eq "work" and value eq "x"].

Bounded: the text (MAX_FILTER_LENGTH), the nesting (MAX_DEPTH) and the comparisons (MAX_COMPARISONS), so no input
reaches Python's recursion limit or an unbounded database query. Every rejection is a ScimError 400 invalidFilter
(invalidPath for a PATCH path) whose detail says where and what was expected.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import INVALID_FILTER, INVALID_PATH, ScimError
from .paths import AttrPath, parse_attr_path

MAX_FILTER_LENGTH = 2048
MAX_DEPTH = 8
MAX_COMPARISONS = 50

COMPARE_OPERATORS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"})
ORDERING_OPERATORS = frozenset({"gt", "ge", "lt", "le"})
STRING_OPERATORS = frozenset({"co", "sw", "ew"})
LITERALS = {"true": True, "false": False, "null": None}

Value = str | int | float | bool | None


@dataclass(frozen=True)
class Comparison:
    path: AttrPath
    op: str
    value: Value


@dataclass(frozen=True)
class Present:
    path: AttrPath


@dataclass(frozen=True)
class And:
    children: tuple[Filter, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Filter, ...]


@dataclass(frozen=True)
class Not:
    child: Filter


@dataclass(frozen=True)
class ValuePath:
    """attribute[filter]: true when an element of the multi-valued attribute matches; inner paths are relative."""

    path: AttrPath
    filter: Filter


Filter = Comparison | Present | And | Or | Not | ValuePath


@dataclass(frozen=True)
class PatchPath:
    """A PATCH "path": an attribute path, or attribute[filter] optionally followed by ".subAttribute"."""

    attribute: AttrPath
    value_filter: Filter | None = None
    sub_attribute: str | None = None


@dataclass(frozen=True)
class Token:
    kind: str  # "(" ")" "[" "]" "word" "string" "number" "end"
    text: str
    position: int
    value: Value = None


WORD = re.compile(r"[A-Za-z0-9_:.$-]+")
NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![A-Za-z0-9_:.$-])")
SURROGATE = re.compile("[\ud800-\udfff\x00]")


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _tokens(text: str, scim_type: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    length = len(text)
    while position < length:
        char = text[position]
        if char in " \t\r\n":
            position += 1
        elif char in "()[]":
            tokens.append(Token(char, char, position))
            position += 1
        elif char == '"':
            try:
                value, end = json.decoder.scanstring(text, position + 1, True)
            except (json.JSONDecodeError, ValueError):
                raise ScimError(
                    400, scim_type, f"Invalid string at position {position + 1}: unterminated or badly escaped"
                ) from None
            if SURROGATE.search(value):
                raise ScimError(400, scim_type, f"Invalid string at position {position + 1}: NUL or lone surrogate")
            tokens.append(Token("string", text[position:end], position, value))
            position = end
        elif number := NUMBER.match(text, position):
            literal = number.group()
            parsed = float(literal) if any(c in literal for c in ".eE") else int(literal)
            if isinstance(parsed, float) and not math.isfinite(parsed):
                raise ScimError(400, scim_type, f"Invalid number at position {position + 1}: {_shown(literal)}")
            tokens.append(Token("number", literal, position, parsed))
            position = number.end()
        elif word := WORD.match(text, position):
            tokens.append(Token("word", word.group(), position))
            position = word.end()
        else:
            raise ScimError(400, scim_type, f"Unexpected character {char!r} at position {position + 1}")
    tokens.append(Token("end", "", length))
    return tokens


class _Parser:
    def __init__(self, text: str, scim_type: str):
        self.scim_type = scim_type
        self.tokens = _tokens(text, scim_type)
        self.index = 0
        self.comparisons = 0

    # -- token helpers -------------------------------------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def is_keyword(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.text.lower() in words

    def fail(self, expected: str, token: Token | None = None) -> ScimError:
        token = token or self.peek()
        found = "the end of the filter" if token.kind == "end" else repr(_shown(token.text))
        return ScimError(
            400, self.scim_type, f"Invalid filter at position {token.position + 1}: expected {expected}, found {found}"
        )

    def expect(self, kind: str, expected: str) -> Token:
        if self.peek().kind != kind:
            raise self.fail(expected)
        return self.advance()

    # -- grammar -------------------------------------------------------------------------------------------
    def filter(self, depth: int, inside: AttrPath | None) -> Filter:
        if depth > MAX_DEPTH:
            raise ScimError(400, self.scim_type, f"Invalid filter: nested deeper than {MAX_DEPTH} levels")
        return self.chain("or", Or, lambda: self.conjunction(depth, inside))

    def conjunction(self, depth: int, inside: AttrPath | None) -> Filter:
        return self.chain("and", And, lambda: self.unary(depth, inside))

    def chain(self, keyword: str, node: type[And] | type[Or], operand) -> Filter:
        """operand (keyword operand)*: one operand alone, or an n-ary node (no nesting to recurse through)."""
        children = [operand()]
        while self.is_keyword(keyword):
            self.advance()
            children.append(operand())
        return children[0] if len(children) == 1 else node(tuple(children))

    def unary(self, depth: int, inside: AttrPath | None) -> Filter:
        token = self.peek()
        if token.kind == "word" and token.text.lower() == "not" and self.tokens[self.index + 1].kind == "(":
            self.advance()
            return Not(self.group(depth, inside))
        if token.kind == "(":
            return self.group(depth, inside)
        return self.attribute_expression(depth, inside)

    def group(self, depth: int, inside: AttrPath | None) -> Filter:
        self.expect("(", "'('")
        inner = self.filter(depth + 1, inside)
        self.expect(")", "')' closing the parenthesis")
        return inner

    def path(self, inside: AttrPath | None) -> AttrPath:
        token = self.expect("word", "an attribute path")
        path = parse_attr_path(token.text, scim_type=self.scim_type)
        if inside is not None and (path.schema is not None or path.sub_attribute is not None):
            raise ScimError(
                400,
                self.scim_type,
                f"Invalid filter at position {token.position + 1}: inside {inside}[...] only sub-attribute names "
                f"of {inside} are allowed, found {_shown(token.text)!r}",
            )
        return path

    def attribute_expression(self, depth: int, inside: AttrPath | None) -> Filter:
        path = self.path(inside)
        if self.peek().kind != "[":
            return self.operator_expression(path)
        bracket = self.advance()
        if inside is not None:
            raise self.fail("an operator (brackets cannot nest)", bracket)
        if path.sub_attribute is not None:
            raise ScimError(400, self.scim_type, f"Invalid filter: {path}[...] selects on a sub-attribute")
        inner = self.filter(depth + 1, path)
        self.expect("]", "']' closing the value filter")
        following = self.peek()
        if following.kind == "word" and following.text.startswith("."):
            # Microsoft's emails[type eq "work"].value eq "x": the sub-attribute joins the bracketed filter.
            self.advance()
            sub = parse_attr_path(following.text[1:] or ".", scim_type=self.scim_type)
            if sub.schema is not None or sub.sub_attribute is not None:
                raise self.fail("a sub-attribute name after ']'", following)
            condition = self.operator_expression(AttrPath(None, sub.attribute))
            inner = And((*(inner.children if isinstance(inner, And) else (inner,)), condition))
        return ValuePath(path, inner)

    def operator_expression(self, path: AttrPath) -> Filter:
        token = self.peek()
        operator = token.text.lower() if token.kind == "word" else ""
        if operator != "pr" and operator not in COMPARE_OPERATORS:
            raise self.fail(f"an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after {_shown(str(path))!r}")
        self.advance()
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise ScimError(400, self.scim_type, f"Invalid filter: more than {MAX_COMPARISONS} comparisons")
        if operator == "pr":
            return Present(path)
        value_token = self.advance()
        if value_token.kind in ("string", "number"):
            value = value_token.value
        elif value_token.kind == "word" and value_token.text.lower() in LITERALS:
            value = LITERALS[value_token.text.lower()]
        else:
            raise self.fail('a value (a "quoted string", a number, true, false or null)', value_token)
        if operator in ORDERING_OPERATORS and (value is None or isinstance(value, bool)):
            raise ScimError(400, self.scim_type, f"Invalid filter: {operator} cannot compare with {value_token.text}")
        if operator in STRING_OPERATORS and not isinstance(value, str):
            raise ScimError(400, self.scim_type, f"Invalid filter: {operator} needs a quoted string")
        return Comparison(path, operator, value)


def _check_text(text: object, scim_type: str, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ScimError(400, scim_type, f"The {what} is empty")
    if len(text) > MAX_FILTER_LENGTH:
        raise ScimError(400, scim_type, f"The {what} is longer than {MAX_FILTER_LENGTH} characters")
    return text


def parse_filter(text: str) -> Filter:
    """Parse the "filter" query parameter. Raises ScimError(400, "invalidFilter", ...)."""
    parser = _Parser(_check_text(text, INVALID_FILTER, "filter"), INVALID_FILTER)
    node = parser.filter(0, None)
    if parser.peek().kind != "end":
        raise parser.fail("'and', 'or' or the end of the filter")
    return node


def parse_path(text: str) -> PatchPath:
    """Parse a PATCH operation's "path". Raises ScimError(400, "invalidPath", ...)."""
    parser = _Parser(_check_text(text, INVALID_PATH, "path"), INVALID_PATH)
    attribute = parser.path(None)
    value_filter = None
    sub_attribute = None
    if parser.peek().kind == "[":
        if attribute.sub_attribute is not None:
            raise ScimError(400, INVALID_PATH, f"Invalid path: {attribute}[...] selects on a sub-attribute")
        parser.advance()
        value_filter = parser.filter(1, attribute)
        parser.expect("]", "']' closing the value filter")
        following = parser.peek()
        if following.kind == "word" and following.text.startswith("."):
            parser.advance()
            sub = parse_attr_path(following.text[1:] or ".", scim_type=INVALID_PATH)
            if sub.schema is not None or sub.sub_attribute is not None:
                raise parser.fail("a sub-attribute name after ']'", following)
            sub_attribute = sub.attribute
    if parser.peek().kind != "end":
        raise parser.fail("the end of the path")
    return PatchPath(attribute, value_filter, sub_attribute)


def walk(node: Filter) -> Iterator[Filter]:
    """Every node of a filter, depth first (the depth is bounded by MAX_DEPTH)."""
    yield node
    if isinstance(node, (And, Or)):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)
    elif isinstance(node, ValuePath):
        yield from walk(node.filter)


def equality_terms(node: Filter) -> dict[str, Value] | None:
    """{path: value} when the filter is eq comparisons joined by "and" (what Microsoft sends), else None.

    Keys are str(path), so 'userName', 'urn:...:User:department'. A filter such as type eq "work" inside a
    valuePath describes an element that a PATCH may create (patch.py).
    """
    children = node.children if isinstance(node, And) else (node,)
    terms: dict[str, Value] = {}
    for child in children:
        if not isinstance(child, Comparison) or child.op != "eq" or child.value is None:
            return None
        terms[str(child.path)] = child.value
    return terms
