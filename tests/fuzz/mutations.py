"""Strategies that damage real, valid inputs the way storage, transport or an attacker
does: bit flips, truncation, insertion, deletion, overwriting a stretch, or moving a
stretch of the input elsewhere. Every mutation changes the input."""

from hypothesis import strategies as st


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """`original` changed by one to three damaging edits (never left as it was)."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        data = bytearray(draw(_one_edit(bytes(data))))
    if bytes(data) == original:
        data.append(draw(st.integers(0, 255)))
    return bytes(data)


def _one_edit(data: bytes) -> st.SearchStrategy[bytes]:
    size = len(data)
    at = st.integers(0, size)
    edits = [
        st.binary(min_size=1, max_size=32).flatmap(
            lambda extra: at.map(lambda i: data[:i] + extra + data[i:])
        ),
    ]
    if size:
        inside = st.integers(0, size - 1)
        edits += [
            st.tuples(inside, st.integers(0, 7)).map(
                lambda p: data[: p[0]] + bytes((data[p[0]] ^ (1 << p[1]),)) + data[p[0] + 1 :]
            ),
            inside.map(lambda i: data[:i]),  # truncated
            st.tuples(inside, st.integers(1, 64)).map(lambda p: data[: p[0]] + data[p[0] + p[1] :]),
            st.tuples(inside, st.binary(min_size=1, max_size=16)).map(
                lambda p: data[: p[0]] + p[1] + data[p[0] + len(p[1]) :]
            ),
            st.tuples(inside, inside, st.integers(1, 32)).map(
                lambda p: _moved(data, p[0], p[1], p[2])
            ),
        ]
    return st.one_of(edits)


def _moved(data: bytes, start: int, to: int, length: int) -> bytes:
    piece = data[start : start + length]
    rest = data[:start] + data[start + length :]
    to = min(to, len(rest))
    return rest[:to] + piece + rest[to:]
