"""Eloqua Expression Language filters (docs §3.4): tokenizer, recursive-descent parser, predicate
compiler.

Grammar (NOT binds tighter than AND, AND tighter than OR):
    expr    := and ( OR and )*
    and     := unary ( AND unary )*
    unary   := NOT unary | primary
    primary := '(' expr ')' | EXISTS '(' STRING ')' | STATUS '(' STRING ')' OP STRING
             | STRING OP STRING
Both operands of a comparison must be quoted; the left one must be a `{{...}}` statement.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Union

from .catalog import STATEMENT_SHAPE, Column
from .common import EASTERN, UTC

OPS = (">=", "<=", "!=", "=", ">", "<", "~")
KEYWORDS = {"AND", "OR", "NOT", "EXISTS", "STATUS"}


class FilterError(ValueError):
    """The filter does not parse or is invalid: a 400 failure on `filter`."""


@dataclass(frozen=True)
class Token:
    kind: str  # STRING, OP, LPAREN, RPAREN, KW, END
    text: str
    pos: int


@dataclass(frozen=True)
class Cmp:
    statement: str
    op: str
    value: str


@dataclass(frozen=True)
class Exists:
    ref: str


@dataclass(frozen=True)
class Status:
    ref: str
    op: str
    value: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND / OR
    children: tuple[Node, ...]


Node = Union[Cmp, Exists, Status, Not, BoolOp]  # noqa: UP007 (used at runtime in annotations above)


def tokenize(text: str) -> list[Token]:
    """Split a filter into tokens; single-quoted strings may contain '' as an escaped quote."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "'":
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise FilterError(f"unterminated string at {i}")
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        buf.append("'")
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            out.append(Token("STRING", "".join(buf), i))
            i = j + 1
        elif ch in "()":
            out.append(Token("LPAREN" if ch == "(" else "RPAREN", ch, i))
            i += 1
        elif any(text.startswith(op, i) for op in OPS):
            op = next(op for op in OPS if text.startswith(op, i))
            out.append(Token("OP", op, i))
            i += len(op)
        elif ch.isalpha():
            m = re.compile(r"[A-Za-z_]+").match(text, i)
            assert m is not None
            word = m.group(0).upper()
            if word not in KEYWORDS:
                raise FilterError(f"unexpected word {m.group(0)!r} at {i}: operands must be quoted")
            out.append(Token("KW", word, i))
            i = m.end()
        else:
            raise FilterError(f"unexpected character {ch!r} at {i}: operands must be quoted")
    out.append(Token("END", "", n))
    return out


class Parser:
    """Recursive-descent parser over the token list."""

    def __init__(self, text: str) -> None:
        self.toks = tokenize(text)
        self.i = 0

    def peek(self) -> Token:
        return self.toks[self.i]

    def take(self, kind: str, text: str | None = None) -> Token:
        tok = self.peek()
        if tok.kind != kind or (text is not None and tok.text != text):
            want = text or kind
            raise FilterError(f"expected {want} at {tok.pos}, found {tok.text or tok.kind!r}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.expr()
        self.take("END")
        return node

    def expr(self) -> Node:
        return self._chain("OR", self.conj)

    def conj(self) -> Node:
        return self._chain("AND", self.unary)

    def _chain(self, word: str, sub: Callable[[], Node]) -> Node:
        parts = [sub()]
        while self.peek().kind == "KW" and self.peek().text == word:
            self.i += 1
            parts.append(sub())
        return parts[0] if len(parts) == 1 else BoolOp(word, tuple(parts))

    def unary(self) -> Node:
        if self.peek().kind == "KW" and self.peek().text == "NOT":
            self.i += 1
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        tok = self.peek()
        if tok.kind == "LPAREN":
            self.i += 1
            node = self.expr()
            self.take("RPAREN")
            return node
        if tok.kind == "KW" and tok.text in ("EXISTS", "STATUS"):
            self.i += 1
            self.take("LPAREN")
            ref = self.take("STRING").text
            self.take("RPAREN")
            if tok.text == "EXISTS":
                return Exists(ref)
            op = self.take("OP").text
            return Status(ref, op, self.take("STRING").text)
        left = self.take("STRING")
        if not STATEMENT_SHAPE.match(left.text.strip()):
            raise FilterError(f"left operand at {left.pos} must be a quoted {{{{...}}}} statement")
        op = self.take("OP").text
        return Cmp(left.text.strip(), op, self.take("STRING").text)


def parse_filter(text: str) -> Node:
    """Parse a filter string into an AST (raises FilterError)."""
    return Parser(text).parse()


def walk(node: Node) -> list[Node]:
    """All nodes, depth first."""
    out: list[Node] = [node]
    if isinstance(node, Not):
        out += walk(node.child)
    elif isinstance(node, BoolOp):
        for c in node.children:
            out += walk(c)
    return out


DATE_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?$"
)


def parse_date_literal(text: str, in_utc: bool) -> datetime:
    """`YYYY-MM-DD[ HH:MM[:SS[.fff]]]` read in UTC or US Eastern (no offsets accepted; docs §8)."""
    m = DATE_RE.match(text.strip())
    if not m:
        raise FilterError(f"{text!r} is not a valid date (expected 'YYYY-MM-DD HH:MM:SS[.fff]')")
    y, mo, d, h, mi, s, frac = m.groups()
    try:
        dt = datetime(
            int(y),
            int(mo),
            int(d),
            int(h or 0),
            int(mi or 0),
            int(s or 0),
            int((frac or "0").ljust(6, "0")[:6]),
        )
    except ValueError as exc:
        raise FilterError(f"{text!r} is not a valid date") from exc
    return dt.replace(tzinfo=UTC if in_utc else EASTERN).astimezone(UTC)


_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def _compile_cmp(
    col: Column, op: str, literal: str, utc: bool, get: Callable[[Any], Any]
) -> Callable[[Any], bool]:
    """One comparison. Text is compared case-insensitively with null as ''; for dates, numbers and
    booleans a '' literal tests for null and any other comparison with null is false (SQL
    semantics)."""
    dtype = col.data_type
    if dtype in ("string", "emailAddress"):
        lit = literal.lower()
        if op == "~":
            rx = re.compile(
                "^" + ".*".join(re.escape(p) for p in re.split(r"[*%]", lit)) + "$", re.I | re.S
            )
            return lambda r: rx.match(get(r) or "") is not None
        fn = _CMP[op]
        return lambda r: fn((get(r) or "").lower(), lit)
    if op == "~":
        raise FilterError(f"operator ~ (LIKE) applies to text fields only, not {dtype}")
    if literal.strip() == "":
        if op not in ("=", "!="):
            raise FilterError("an empty value can only be compared with = or !=")
        return (lambda r: get(r) is None) if op == "=" else (lambda r: get(r) is not None)
    value: Any
    if dtype == "date":
        value = parse_date_literal(literal, utc and col.system_ts)
    elif dtype == "number":
        try:
            value = float(literal)
        except ValueError:
            raise FilterError(f"{literal!r} is not a valid number") from None
    else:
        low = literal.strip().lower()
        if low not in ("true", "false", "1", "0"):
            raise FilterError(f"{literal!r} is not a valid boolean")
        value = low in ("true", "1")
    fn = _CMP[op]

    def pred(r: Any) -> bool:
        v = get(r)
        return v is not None and fn(v, value)

    return pred


Predicate = Callable[[Any], bool]


def compile_filter(
    node: Node,
    resolve: Callable[[str], Column],
    getter: Callable[[Column], Callable[[Any], Any]],
    exists: Callable[[str], Predicate],
    utc: bool,
) -> Predicate:
    """Turn an AST into a predicate over records; `resolve` raises FilterError for unknown
    statements.
    """
    if isinstance(node, Cmp):
        col = resolve(node.statement)
        return _compile_cmp(col, node.op, node.value, utc, getter(col))
    if isinstance(node, Exists):
        return exists(node.ref)
    if isinstance(node, Status):
        return lambda r: False  # no AppCloud service instances exist in the emulator
    if isinstance(node, Not):
        inner = compile_filter(node.child, resolve, getter, exists, utc)
        return lambda r: not inner(r)
    parts = [compile_filter(c, resolve, getter, exists, utc) for c in node.children]
    if node.op == "AND":
        return lambda r: all(p(r) for p in parts)
    return lambda r: any(p(r) for p in parts)
