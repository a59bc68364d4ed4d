"""Loop idioms: loops written as one statement that runs at C speed.

Strided fills: a loop that only stores one byte at a stride becomes a slice assignment of the memory.

A sieve marks multiples (``for (j = 2 * i; j < n; j += i) flags[j] = 1``): in
the structured form, a loop of a byte store and a step,

    while True:
     V0[(l0 + 1024)] = 1
     l0 = (l0 + l3)
     if (l0 < h6_0):
      continue
     break

which :func:`loop_idioms` writes as one slice assignment of the memory's
byte view, done at C speed, when every store is in bounds (the last address
is below the memory's length), the stride is positive and the stores are not
too many for the bytes made for them (:data:`MAX_FILL`); otherwise the loop
runs as it was, and traps where it did.  The counter ends as the loop leaves
it: the first value not below the bound (a loop that tests at its end runs
its body at least once).  Its step is unwrapped in the loop (the code
generator's ranges showed it cannot wrap), so the counter's values are the
Python ints the slice is made of.  Not with fuel metered (each iteration is
charged) nor calls counted: those loops have more lines and do not match.

Dot products: a loop that only adds products of integers it loads to one
local, modulo 2**32 or 2**64, each load through an index the loop steps by a
constant or by a name it does not write (matmul's inner loop, LLVM unrolled
by two:

    while True:
     t4 = V0_i[(s13_4_2 + h10_0)]
     t5 = V0_i[(s13_7_2 + 1)]
     t6 = V0_i[s13_4_2]
     t7 = V0_i[s13_7_2]
     l1 = (((t4 * t5) + ((t6 * t7) + l1)) & 4294967295)
     s13_4_2 = s13_4_2 + q13_5_2
     s13_7_2 = s13_7_2 + 2
     l8 = (l8 + 2)
     if (l6 != l8):
      continue
     break

) adds ``sum(map(MUL, a, b))`` of the strided slices of the typed views
instead, one per product, when its rounds can be counted before it runs
(its counter stepped by a constant up to a bound it reaches exactly, or
passes with ``<``), every index of every load is in the view and every
stride positive; the sum is the same modulo 2**n in any order.  The
indexes and loaded values are the loop's own (no other line reads them:
the index names belong to the loop, the loaded values to the sum), so only
the counter is set as the loop leaves it.  Otherwise the loop runs as it was.
"""

from __future__ import annotations

import re

Line = tuple[int, str, int, int]  # (indent, text, kind, offset), as the generator's lines

MAX_FILL = 1 << 20
"""The most stores one slice assignment makes (it builds their bytes first): a longer loop runs as it is."""

_STORE = re.compile(r"(V\d+)\[(?:\((l\d+) \+ (\d+)\)|(l\d+) \+ (\d+)|(l\d+))\] = (\d+)")
_STEP = re.compile(r"(l\d+) = \((l\d+) \+ ([A-Za-z_]\w*|\d+)\)")
_TEST = re.compile(r"if \((l\d+) < ([A-Za-z_]\w*|\d+)\):")
_LOAD = re.compile(r"(t\d+) = (V\d+(?:_[bBhHiIqQ])?)\[\(?(s\d+_\d+_\d+)(?: ([+-]) ([A-Za-z_]\w*|\d+))?\)?\]")
_SUM = re.compile(r"(l\d+) = \((.*) (& 4294967295|% 4294967296|& 18446744073709551615|% 18446744073709551616)\)")
_SHADOW_STEP = re.compile(r"(s\d+_\d+_\d+) = \1 \+ ([A-Za-z_]\w*|\d+)")
_COUNT = re.compile(r"(l\d+) = \(\1 \+ (\d+)\)")
_UNTIL = re.compile(
    r"if \((?:(l\d+) != (l\d+|h\d+_\d+|\d+)|(l\d+|h\d+_\d+|\d+) != (l\d+)|(l\d+) < (l\d+|h\d+_\d+|\d+))\):"
)
_PRODUCT = re.compile(r"\((t\d+) \* (t\d+)\)")


def loop_idioms(lines: list[Line], memory_kind: int) -> list[Line]:
    """``lines`` with each strided byte-store loop and each dot product (see the module docstring) given its
    statement at C speed, the loop kept for what the statement cannot do."""
    out: list[Line] = []
    position = 0
    count = len(lines)
    while position < count:
        line = lines[position]
        if line[1] != "while True:":
            out.append(line)
            position += 1
            continue
        end = position + 1
        while end < count and lines[end][0] > line[0]:
            end += 1
        loop = lines[position:end]
        made = _fill(loop, memory_kind) or _dot_product(loop, memory_kind)
        if made is None:
            out.append(line)
            position += 1
            continue
        out += made
        position = end
    return out


def _fill(loop: list[Line], memory_kind: int) -> list[Line] | None:
    """The lines of ``loop`` (its ``while True:`` and body) with the slice assignment first, if it is a
    strided fill."""
    if len(loop) != 6:
        return None
    indent = loop[0][0]
    store, step, test, back, leave = loop[1:]
    inner = indent + 1
    if [line[0] for line in (store, step, test, back, leave)] != [inner, inner, inner, inner + 1, inner]:
        return None
    if back[1] != "continue" or leave[1] != "break" or store[2] != memory_kind:
        return None
    stored, stepped, tested = _STORE.fullmatch(store[1]), _STEP.fullmatch(step[1]), _TEST.fullmatch(test[1])
    if stored is None or stepped is None or tested is None:
        return None
    view, value = stored[1], int(stored[7])
    counter, offset = stored[2] or stored[4] or stored[6], int(stored[3] or stored[5] or 0)
    stride, bound = stepped[3], tested[2]
    if not (stepped[1] == stepped[2] == counter == tested[1]) or counter in (stride, bound) or value > 255:
        return None
    first = f"({counter} + {offset})" if offset else counter
    # k: the stores after the first (the loop runs once, then while the counter is below the bound).
    stores_after = f"(({bound} - {counter} - 1) // {stride} if {bound} > {counter} else 0)"
    last = f"{first} + fill_k * {stride}"
    body = [
        (indent, f"fill_k = {stores_after} if {stride} > 0 else -1", step[2], step[3]),
        (indent, f"if 0 <= fill_k < {MAX_FILL} and {last} < len({view}):", step[2], step[3]),
        (inner, f"{view}[{first} : {last} + 1 : {stride}] = {bytes((value,))!r} * (fill_k + 1)", store[2], store[3]),
        (inner, f"{counter} = {counter} + (fill_k + 1) * {stride}", step[2], step[3]),
        (indent, "else:", step[2], step[3]),
    ]
    return body + [(line[0] + 1, line[1], line[2], line[3]) for line in loop]


def _products(expression: str, accumulator: str) -> list[tuple[str, str]] | None:
    """The products ``(a * b)`` of names the sum ``expression`` adds to ``accumulator`` (once), or None if it
    is anything else.  (Once the products are taken out only ``+`` is left, so its parentheses do not
    matter.)"""
    products = _PRODUCT.findall(expression)
    rest = _PRODUCT.sub(" p ", expression).replace("(", " ").replace(")", " ").split()
    if rest[::2].count(accumulator) != 1 or any(term not in ("p", accumulator) for term in rest[::2]):
        return None
    if any(operator != "+" for operator in rest[1::2]) or len(rest) % 2 == 0:
        return None
    return products


def _dot_product(loop: list[Line], memory_kind: int) -> list[Line] | None:
    """The lines of ``loop`` (its ``while True:`` and body) with the dot product first, if it is one."""
    indent = loop[0][0]
    inner = indent + 1
    if len(loop) < 7 or any(line[0] != inner for line in loop[1:-2]) or loop[-2][0] != inner + 1:
        return None
    if loop[-2][1] != "continue" or loop[-1][1] != "break" or loop[-1][0] != inner:
        return None
    body = [line[1] for line in loop[1:-2]]
    loads: dict[str, tuple[str, str, str]] = {}  # temp -> (view, index name, start index expression)
    offsets: set[str] = set()  # the names (or literals) added to the indexes
    position = 0
    while position < len(body) and loop[1 + position][2] == memory_kind:
        load = _LOAD.fullmatch(body[position])
        if load is None:
            return None
        temp, view, index, sign, offset = load.groups()
        if temp in loads:
            return None
        start = f"({index} {sign} {offset})" if sign else index
        loads[temp] = (view, index, start)
        if sign:
            offsets.add(offset)
        position += 1
    summed = _SUM.fullmatch(body[position]) if position < len(body) else None
    if not loads or summed is None:
        return None
    accumulator, expression, reduction = summed.groups()
    products = _products(expression, accumulator)
    if not products or {name for pair in products for name in pair} != set(loads) or len(products) * 2 != len(loads):
        return None
    steps: dict[str, str] = {}
    position += 1
    while position < len(body) and (stepped := _SHADOW_STEP.fullmatch(body[position])) is not None:
        steps[stepped[1]] = stepped[2]
        position += 1
    if position + 2 != len(body) or {index for _view, index, _start in loads.values()} != set(steps):
        return None
    counted, until = _COUNT.fullmatch(body[position]), _UNTIL.fullmatch(body[position + 1])
    if counted is None or until is None:
        return None
    counter, increment = counted[1], int(counted[2])
    equal_left, equal_right, equal_left_2, equal_right_2, below, bound_below = until.groups()
    if below is not None:
        if below != counter:
            return None
        bound, exact = bound_below, False
    else:
        pair = (equal_left, equal_right) if equal_left is not None else (equal_left_2, equal_right_2)
        if counter not in pair:
            return None
        bound, exact = pair[1] if pair[0] == counter else pair[0], True
    written = {accumulator, counter, *steps, *loads}
    invariant = {bound, *steps.values(), *offsets}
    if written & invariant or accumulator == counter or increment <= 0:
        return None
    if any(step.isdigit() and int(step) == 0 for step in steps.values()):
        return None  # (a slice's step cannot be zero)
    # The rounds: exactly (bound - counter) / increment when the loop stops at equality, else at least one.
    if exact:
        rounds = f"(({bound} - {counter}) // {increment} if {bound} > {counter} and not ({bound} - {counter}) % {increment} else -1)"
    else:
        rounds = f"((({bound} - {counter} - 1) // {increment} + 1) if {bound} > {counter} else 1)"
    checks = ["0 < dot_n"]
    slices: dict[str, str] = {}
    for temp, (view, index, start) in loads.items():
        stride = steps[index]
        checks.append(f"{stride} > 0 <= {start}" if not stride.isdigit() else f"0 <= {start}")
        checks.append(f"{start} + (dot_n - 1) * {stride} < len({view})")
        slices[temp] = f"{view}[{start} : {start} + dot_n * {stride} : {stride}]"
    mask = reduction[2:]
    total = " + ".join(f"sum(map(MUL, {slices[a]}, {slices[b]}))" for a, b in products)
    kind, offset = loop[1][2], loop[1][3]
    out = [
        (indent, f"dot_n = {rounds}", 0, -1),
        (indent, f"if {' and '.join(checks)}:", 0, -1),
        (inner, f"{accumulator} = (({accumulator} + {total}) {reduction[0]} {mask})", kind, offset),
        (inner, f"{counter} = {counter} + dot_n * {increment}", 0, -1),
        (indent, "else:", 0, -1),
    ]
    return out + [(line[0] + 1, line[1], line[2], line[3]) for line in loop]
