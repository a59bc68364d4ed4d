"""Mutations of binaries (bytes, LEB128 numbers, sections) and of texts (tokens, numbers, parentheses).

Each mutator takes the data, a random generator and donors (other corpus
items to splice from) and returns the mutated data; :func:`mutate` stacks one
to three of them.  Everything is a function of the generator's state, so a
seed gives the same mutants everywhere.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

Mutator = Callable[[bytes, random.Random, Sequence[bytes]], bytes]

INTERESTING_BYTES = (
    0x00,
    0x01,
    0x02,
    0x0B,
    0x40,
    0x41,
    0x7F,
    0x80,
    0x81,
    0xFF,
    0xFE,
    0x60,
    0x70,
    0x6F,
    0x7B,
    0xFC,
    0xFD,
)


def _span(data: bytes, rng: random.Random, most: int = 16) -> tuple[int, int]:
    start = rng.randrange(len(data) + 1)
    return start, min(len(data), start + rng.randint(1, most))


# --- binaries ---------------------------------------------------------------------------------------------------


def flip_bit(data: bytes, rng: random.Random, _donors: Sequence[bytes]) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def set_byte(data: bytes, rng: random.Random, _donors: Sequence[bytes]) -> bytes:
    if not data:
        return bytes([rng.choice(INTERESTING_BYTES)])
    out = bytearray(data)
    out[rng.randrange(len(out))] = rng.choice(INTERESTING_BYTES) if rng.random() < 0.7 else rng.randrange(256)
    return bytes(out)


def insert_bytes(data: bytes, rng: random.Random, _donors: Sequence[bytes]) -> bytes:
    at = rng.randrange(len(data) + 1)
    count = rng.randint(1, 8)
    chunk = bytes(rng.choice(INTERESTING_BYTES) if rng.random() < 0.5 else rng.randrange(256) for _ in range(count))
    return data[:at] + chunk + data[at:]


def delete_bytes(data: bytes, rng: random.Random, _donors: Sequence[bytes]) -> bytes:
    start, end = _span(data, rng)
    return data[:start] + data[end:]


def duplicate_bytes(data: bytes, rng: random.Random, _donors: Sequence[bytes]) -> bytes:
    start, end = _span(data, rng, 64)
    return data[:end] + data[start:end] + data[end:]


def truncate(data: bytes, rng: random.Random, _donors: Sequence[bytes]) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def splice(data: bytes, rng: random.Random, donors: Sequence[bytes]) -> bytes:
    donor = rng.choice(donors) if donors else data
    start, end = _span(donor, rng, 64)
    at = rng.randrange(len(data) + 1)
    drop = rng.randint(0, 16)
    return data[:at] + donor[start:end] + data[at + drop :]


def leb(data: bytes, rng: random.Random, _donors: Sequence[bytes]) -> bytes:
    """Rewrite a LEB128-looking number: made huge, over-long, zero, or one off."""
    if not data:
        return data
    start = rng.randrange(len(data))
    end = start
    while end < len(data) and data[end] & 0x80 and end - start < 9:
        end += 1
    end = min(end + 1, len(data))
    value = 0
    for shift, byte in enumerate(data[start:end]):
        value |= (byte & 0x7F) << (7 * shift)
    choice = rng.randrange(6)
    if choice == 0:
        value = rng.choice((0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 50_001, 100_000, 1 << 40))
    elif choice == 1:
        value = 0
    elif choice == 2:
        value += rng.choice((-1, 1))
    elif choice == 3:
        encoded = bytearray(data[start:end])
        if encoded:
            encoded[-1] |= 0x80
            encoded.append(0x00)  # over-long: another zero group
        return data[:start] + bytes(encoded) + data[end:]
    elif choice == 4:
        return data[:start] + bytes([0x80] * rng.randint(1, 10)) + data[end:]  # unterminated
    else:
        value = rng.getrandbits(rng.choice((7, 14, 32, 35)))
    value = max(value, 0)
    encoded = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        encoded.append(byte | (0x80 if value else 0))
        if not value:
            break
    return data[:start] + bytes(encoded) + data[end:]


def sections(data: bytes) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each section of a binary (as far as its lengths make sense)."""
    found: list[tuple[int, int]] = []
    index = 8
    while index < len(data):
        start = index
        index += 1
        size = shift = 0
        while index < len(data):
            byte = data[index]
            index += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80 or shift > 35:
                break
        end = index + size
        if end > len(data):
            break
        found.append((start, end))
        index = end
    return found


def section_edit(data: bytes, rng: random.Random, donors: Sequence[bytes]) -> bytes:
    """Drop, duplicate, move, or take from a donor a whole section."""
    found = sections(data)
    if not found:
        return truncate(data, rng, donors)
    start, end = rng.choice(found)
    choice = rng.randrange(4)
    if choice == 0:
        return data[:start] + data[end:]
    if choice == 1:
        return data[:end] + data[start:end] + data[end:]
    if choice == 2:
        other_start, _ = rng.choice(found)
        piece, rest = data[start:end], data[:start] + data[end:]
        at = other_start if other_start < start else max(other_start - (end - start), 8)
        return rest[:at] + piece + rest[at:]
    donor = rng.choice(donors) if donors else data
    donor_sections = sections(donor)
    if not donor_sections:
        return data
    donor_start, donor_end = rng.choice(donor_sections)
    return data[:start] + donor[donor_start:donor_end] + data[end:]


BINARY_MUTATORS: tuple[Mutator, ...] = (
    flip_bit,
    set_byte,
    set_byte,
    insert_bytes,
    delete_bytes,
    duplicate_bytes,
    truncate,
    splice,
    leb,
    leb,
    section_edit,
)

# --- texts ------------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|\(;|;\)|;;[^\n]*|[()]|[^\s()";]+|\s+|.', re.DOTALL)
INTERESTING_NUMBERS = (
    "0", "-0", "1", "-1", "0x7fffffff", "0x80000000", "-0x80000000", "4294967295", "4294967296",
    "0xffffffffffffffff", "18446744073709551616", "-9223372036854775809", "1_000", "0x1p-149", "0x1.fffffep127",
    "1e309", "-1e-400", "inf", "-inf", "nan", "nan:0x1", "nan:0x7fffff", "nan:0x8000000000000", "0x", "1__0",
    "65536", "65537", "100000", "-nan:0x400000",
)  # fmt: skip
INTERESTING_TOKENS = (
    "(", ")", "$x", "$", "i32", "i64", "f32", "f64", "v128", "funcref", "externref", "func", "param", "result",
    "local", "global", "mut", "memory", "table", "elem", "data", "offset", "align=1", "align=3", "offset=4294967296",
    "block", "loop", "if", "then", "else", "end", "br", "br_table", "unreachable", "select", "call_indirect",
    "type", "export", "import", "start", '"\\ff"', '"\\u{110000}"', '"\\"', "(;", ";)", ";;", "\u00e9", "\x00",
    "i32x4", "v128.const", "ref.null", "ref.func",
)  # fmt: skip


def tokens(data: bytes) -> list[str]:
    return _TOKEN.findall(data.decode("utf-8", "surrogateescape"))


def join(parts: Sequence[str]) -> bytes:
    return "".join(parts).encode("utf-8", "surrogateescape")


def _significant(parts: Sequence[str]) -> list[int]:
    return [index for index, part in enumerate(parts) if not part.isspace()]


def token_edit(data: bytes, rng: random.Random, donors: Sequence[bytes]) -> bytes:
    """Delete, duplicate, swap or replace a token (a number by an edge-case literal, a word by another)."""
    parts = tokens(data)
    indexes = _significant(parts)
    if not indexes:
        return join([rng.choice(INTERESTING_TOKENS)])
    at = rng.choice(indexes)
    choice = rng.randrange(5)
    if choice == 0:
        del parts[at]
    elif choice == 1:
        parts.insert(at, parts[at] + " ")
    elif choice == 2:
        other = rng.choice(indexes)
        parts[at], parts[other] = parts[other], parts[at]
    elif choice == 3 or re.match(r"[-+]?(\d|0x|inf|nan)", parts[at]):
        parts[at] = rng.choice(INTERESTING_NUMBERS)
    else:
        donor_parts = tokens(rng.choice(donors)) if donors else parts
        words = [part for part in donor_parts if not part.isspace()] or list(INTERESTING_TOKENS)
        parts[at] = rng.choice(words) if rng.random() < 0.6 else rng.choice(INTERESTING_TOKENS)
    return join(parts)


def _balanced(parts: Sequence[str], start: int) -> int:
    """The index just past the parenthesised form opening at ``start``."""
    depth = 0
    for index in range(start, len(parts)):
        if parts[index] == "(":
            depth += 1
        elif parts[index] == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(parts)


def form_edit(data: bytes, rng: random.Random, donors: Sequence[bytes]) -> bytes:
    """Delete, duplicate or transplant a whole parenthesised form, or unbalance the parentheses."""
    parts = tokens(data)
    opens = [index for index, part in enumerate(parts) if part == "("]
    if not opens:
        return token_edit(data, rng, donors)
    start = rng.choice(opens)
    end = _balanced(parts, start)
    choice = rng.randrange(5)
    if choice == 0:
        return join(parts[:start] + parts[end:])
    if choice == 1:
        return join([*parts[:end], " ", *parts[start:end], *parts[end:]])
    if choice == 2:
        donor = tokens(rng.choice(donors)) if donors else parts
        donor_opens = [index for index, part in enumerate(donor) if part == "("]
        if donor_opens:
            donor_start = rng.choice(donor_opens)
            return join(parts[:start] + donor[donor_start : _balanced(donor, donor_start)] + parts[end:])
        return join(parts)
    if choice == 3:
        return join(parts[:start] + parts[start + 1 :])  # an unclosed form
    return join([*parts[:end], ")", *parts[end:]])  # one close too many


def text_bytes(data: bytes, rng: random.Random, donors: Sequence[bytes]) -> bytes:
    """A raw byte edit of the text: invalid UTF-8, control characters, a cut in the middle of a token."""
    choice = rng.randrange(4)
    if choice == 0:
        return insert_bytes(data, rng, donors)
    if choice == 1:
        return flip_bit(data, rng, donors)
    if choice == 2:
        return truncate(data, rng, donors)
    return delete_bytes(data, rng, donors)


def deep_nesting(data: bytes, rng: random.Random, _donors: Sequence[bytes]) -> bytes:
    """Nest blocks very deeply (a recursive parser's or validator's stack), around a random position."""
    depth = rng.choice((100, 1000, 5000, 20000))
    parts = tokens(data)
    opens = [index for index, part in enumerate(parts) if part == "("] or [0]
    at = rng.choice(opens)
    return join(parts[:at] + ["(block "] * depth + ["(nop)"] + [")"] * depth + parts[at:])


TEXT_MUTATORS: tuple[Mutator, ...] = (
    token_edit,
    token_edit,
    token_edit,
    form_edit,
    form_edit,
    text_bytes,
    deep_nesting,
)


def mutate(data: bytes, rng: random.Random, donors: Sequence[bytes], text: bool) -> tuple[bytes, list[str]]:
    """``data`` after one to three mutations; the mutated data and the mutators' names."""
    mutators = TEXT_MUTATORS if text else BINARY_MUTATORS
    applied: list[str] = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        mutator = rng.choice(mutators)
        data = mutator(data, rng, donors)
        applied.append(mutator.__name__)
    return data, applied
