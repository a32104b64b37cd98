"""A small OData $filter parser/evaluator for /users, with Graph's default vs advanced-query rules.

Supported: eq, ne, gt, ge, lt, le, in (...), startswith(p,'x'), endswith(p,'x'), and, or, not, parentheses,
null/true/false literals, onPremisesExtensionAttributes/extensionAttributeN.
"""

import re

from emulator.directory import EXTENSION_ATTRIBUTES
from emulator.graph_common import GraphError

EXT_PREFIX = "onPremisesExtensionAttributes/"
# Filterable with eq/in/ne/not by default (no advanced query parameters needed for eq/in).
BASIC_EQ = {"id", "accountEnabled", "userType", "employeeId", "mail", "userPrincipalName", "jobTitle", "department",
            "displayName", "givenName", "surname", "mailNickname", "city", "country", "state", "usageLocation",
            "companyName", "preferredLanguage", "employeeType"}
BASIC_STARTSWITH = {"mail", "userPrincipalName", "jobTitle", "department", "displayName", "givenName", "surname",
                    "mailNickname", "city", "country", "state", "companyName", "usageLocation"}
ADVANCED_ONLY = {"mobilePhone", "officeLocation", "postalCode", "streetAddress", "faxNumber", "createdDateTime",
                 "onPremisesSyncEnabled"} | {EXT_PREFIX + a for a in EXTENSION_ATTRIBUTES}
ENDSWITH = {"mail", "userPrincipalName", "otherMails", "proxyAddresses"}
FILTERABLE = BASIC_EQ | ADVANCED_ONLY

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?(?![\w-]))|(?P<punc>[(),])|"
                    r"(?P<word>[A-Za-z_$][\w./-]*))")
ADVANCED_HINT = ("is not supported because the required parameters might be missing. Try adding $count=true "
                 "query parameter and ConsistencyLevel:eventual header. Refer to "
                 "https://aka.ms/graph-docs/advanced-queries for more information")


def _bad(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def tokenize(text: str) -> list[tuple[str, object]]:
    pos, out = 0, []
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise _bad(f"Invalid filter clause: syntax error at position {pos} in '{text}'.")
        pos = m.end()
        if m.group("str") is not None:
            out.append(("lit", m.group("str")[1:-1].replace("''", "'")))
        elif m.group("num") is not None:
            num = m.group("num")
            out.append(("lit", float(num) if "." in num else int(num)))
        elif m.group("punc"):
            out.append((m.group("punc"), None))
        else:
            word = m.group("word")
            lower = word.lower()
            if lower in ("true", "false"):
                out.append(("lit", lower == "true"))
            elif lower == "null":
                out.append(("lit", None))
            else:
                out.append(("word", word))
    return out


class _Parser:
    def __init__(self, tokens):
        self.tokens, self.i = tokens, 0

    def peek(self, offset=0):
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else ("end", None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if (kind and tok[0] != kind) or (value and str(tok[1]).lower() != value):
            raise _bad(f"Invalid filter clause: expected {value or kind}.")
        self.i += 1
        return tok

    def is_word(self, value, offset=0):
        tok = self.peek(offset)
        return tok[0] == "word" and tok[1].lower() == value

    def expr(self):
        node = self.conj()
        while self.is_word("or"):
            self.i += 1
            node = ("or", node, self.conj())
        return node

    def conj(self):
        node = self.unary()
        while self.is_word("and"):
            self.i += 1
            node = ("and", node, self.unary())
        return node

    def unary(self):
        if self.is_word("not"):
            self.i += 1
            return ("not", self.unary())
        if self.peek()[0] == "(":
            self.i += 1
            node = self.expr()
            self.take(")")
            return node
        return self.comparison()

    def comparison(self):
        name = self.take("word")[1]
        if self.peek()[0] == "(":  # function call
            fn = name.lower()
            if fn not in ("startswith", "endswith"):
                raise _bad(f"An unknown function with name '{name}' was found.")
            self.take("(")
            prop = self.take("word")[1]
            self.take(",")
            value = self.take("lit")[1]
            self.take(")")
            return (fn, prop, value)
        op = self.take("word")[1].lower()
        if op == "in":
            self.take("(")
            values = [self.take("lit")[1]]
            while self.peek()[0] == ",":
                self.i += 1
                values.append(self.take("lit")[1])
            self.take(")")
            return ("in", name, values)
        if op not in ("eq", "ne", "gt", "ge", "lt", "le"):
            raise _bad(f"Invalid filter clause: unknown operator '{op}'.")
        return (op, name, self.take("lit")[1])


def parse(text: str):
    parser = _Parser(tokenize(text))
    node = parser.expr()
    if parser.peek()[0] != "end":
        raise _bad(f"Invalid filter clause: unexpected '{parser.peek()[1]}'.")
    return node


def _check(node, advanced: bool, filterable=FILTERABLE) -> None:
    kind = node[0]
    if kind in ("and", "or"):
        _check(node[1], advanced, filterable)
        _check(node[2], advanced, filterable)
        return
    if kind == "not":
        if not advanced:
            raise GraphError(400, "Request_UnsupportedQuery", f"Operator 'not' {ADVANCED_HINT}")
        _check(node[1], advanced, filterable)
        return
    prop = node[1]
    if prop not in filterable and prop not in ENDSWITH:
        raise GraphError(400, "Request_UnsupportedQuery",
                         f"Unsupported or invalid query filter clause specified for property '{prop}' of resource "
                         "'User'.")
    if kind == "endswith" and prop not in ENDSWITH:
        raise GraphError(400, "Request_UnsupportedQuery",
                         f"Unsupported or invalid query filter clause specified for property '{prop}' of resource "
                         "'User'.")
    if advanced:
        return
    if kind in ("ne", "gt", "ge", "lt", "le", "endswith"):
        op = {"endswith": "endsWith"}.get(kind, kind)
        raise GraphError(400, "Request_UnsupportedQuery", f"Operator '{op}' {ADVANCED_HINT}")
    needs = (prop in ADVANCED_ONLY or (kind == "startswith" and prop not in BASIC_STARTSWITH)
             or (kind == "eq" and node[2] is None))
    if needs:
        raise GraphError(400, "Request_UnsupportedQuery",
                         f"Unsupported or invalid query filter clause specified for property '{prop}' of resource "
                         "'User'.")


def _value(obj: dict, prop: str):
    if prop.startswith(EXT_PREFIX):
        return (obj.get("onPremisesExtensionAttributes") or {}).get(prop[len(EXT_PREFIX):])
    return obj.get(prop)


def _norm(value):
    return value.lower() if isinstance(value, str) else value


def _cmp(op, left, right) -> bool:
    if isinstance(left, list):  # collection properties: any element matches
        return any(_cmp(op, item, right) for item in left)
    left, right = _norm(left), _norm(right)
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    if left is None or right is None:
        return False
    try:
        return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]
    except TypeError:
        return False


def _evaluate(node, obj: dict) -> bool:
    kind = node[0]
    if kind == "and":
        return _evaluate(node[1], obj) and _evaluate(node[2], obj)
    if kind == "or":
        return _evaluate(node[1], obj) or _evaluate(node[2], obj)
    if kind == "not":
        return not _evaluate(node[1], obj)
    value = _value(obj, node[1])
    if kind == "in":
        return any(_cmp("eq", value, v) for v in node[2])
    if kind in ("startswith", "endswith"):
        needle = _norm(node[2]) or ""
        items = value if isinstance(value, list) else [value]
        test = str.startswith if kind == "startswith" else str.endswith
        return any(isinstance(v, str) and test(v.lower(), needle) for v in items)
    return _cmp(kind, value, node[2])


def compile_filter(text: str, advanced: bool, filterable=FILTERABLE):
    """A predicate over user dicts; raises GraphError with Graph's code/message for invalid or
    advanced-only filters sent without advanced query parameters."""
    node = parse(text)
    _check(node, advanced, filterable)
    return lambda obj: _evaluate(node, obj)


def id_filter(text: str) -> list[str] | None:
    """For delta: `id eq 'x' or id eq 'y'` / `id in (...)` -> ids; None when the filter is something else."""
    node = parse(text)
    ids = []

    def walk(n):
        if n[0] == "or":
            return walk(n[1]) and walk(n[2])
        if n[0] == "eq" and n[1] == "id":
            ids.append(n[2])
            return True
        if n[0] == "in" and n[1] == "id":
            ids.extend(n[2])
            return True
        return False

    return ids if walk(node) else None
