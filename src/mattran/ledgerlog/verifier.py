#!/usr/bin/env python3
"""Kiểm tra sổ cái công khai của Mặt trận (mattran): a verifier anyone can run.

One file, no dependency beyond the Python standard library and `cryptography`
(pip install cryptography). Download it from the portal (/cong-khai/so-cai/)
and run:

    python3 kiem_tra_so_cai.py https://example.gov.vn --key <public key, base64>
    python3 kiem_tra_so_cai.py https://example.gov.vn --key ... --entry 12345
    python3 kiem_tra_so_cai.py https://example.gov.vn --key ... --state so-cai.json
    python3 kiem_tra_so_cai.py https://example.gov.vn --key ... --full --state so-cai.json

What it checks (RFC 6962 / RFC 9162 Merkle tree, SHA-256, 0x00 leaf and 0x01
node prefixes):
1. every signed tree head (size, root, time) carries a valid Ed25519
   signature of a published key; each later key is endorsed by the key before
   it; the key given with --key is among them;
2. no two heads of the same size have different roots (a fork) and sizes
   never go down;
3. each signed size extends the one before it: a consistency proof (RFC 6962
   §2.1.2, ~log2(n) hashes) between every two successive heads, so the whole
   signed history is one append-only log. No leaf is downloaded for this;
4. with --full: every leaf: its published data (the public fields of one
   ledger line, in the canonical serialisation of docs/ledger-log.md) is
   hashed again, and the roots of all heads are rebuilt from those hashes:
   nothing was changed, removed or reordered. The first leaf whose data does
   not match what was logged is named. (Hours for tens of millions of leaves:
   keep --state, and later runs check only the leaves added since);
5. with --entry ID: that ledger line's inclusion proof to the latest head;
6. with --state FILE: the newest head seen on an earlier run must be
   consistent with today's (a consistency proof), and a different root for a
   size seen before is reported as a fork. After a --full run the file also
   keeps the tree's frontier (one hash per bit of the size): the next run
   downloads and checks only the leaves added since.
Exit status 0 when everything holds, 1 otherwise (the reason is printed).

The server (Django app mattran.ledgerlog) imports the hashing, serialisation
and proof-checking functions from this same file, so both sides compute
exactly the same bytes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
HEAD_CONTEXT = "mattran so-cai v1"  # first line of every signed tree head message
PAGE = 1000  # leaves per request


class VerificationError(Exception):
    """A check failed; the message says which and where (Vietnamese, for the reader)."""


# ------------------------------------------------------------------- hashing


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 §2.1: MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 §2.1: SHA-256(0x01 || MTH(left) || MTH(right))."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (the empty tree: SHA-256 of nothing)."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    # Pair from the left; an odd node is carried up unchanged. For a list of
    # n leaves this gives exactly RFC 6962's split at the largest power of two.
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


class CompactRange:
    """Roots of a growing log with O(log n) memory: push leaf hashes, ask the root."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (height, hash) of perfect subtrees

    def push(self, h: bytes) -> None:
        height = 0
        while self._stack and self._stack[-1][0] == height:
            _, left = self._stack.pop()
            h = node_hash(left, h)
            height += 1
        self._stack.append((height, h))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        h = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            h = node_hash(left, h)
        return h

    def frontier(self) -> list[str]:
        """The roots of the perfect subtrees covering the leaves so far, largest first (hex)."""
        return [h.hex() for _, h in self._stack]

    @classmethod
    def from_frontier(cls, size: int, frontier: Sequence[str]) -> CompactRange:
        """The range of `size` leaves from its frontier (one hash per bit set in size)."""
        heights = [b for b in range(size.bit_length() - 1, -1, -1) if size >> b & 1]
        if len(heights) != len(frontier):
            raise VerificationError("Tệp trạng thái hỏng: biên của cây không khớp kích thước.")
        compact = cls()
        compact.size = size
        compact._stack = [(h, bytes.fromhex(x)) for h, x in zip(heights, frontier, strict=True)]
        return compact


# ------------------------------------------------- proofs as lists of subtrees


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """RFC 6962 §2.1.1 PATH(m, D[n]) as the [start, end) leaf ranges whose MTH form it."""
    if not 0 <= index < size:
        raise ValueError("index outside the tree")
    out: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo = lo + k
    out.reverse()  # the proof lists the sibling nearest the leaf first
    return out


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """RFC 6962 §2.1.2 PROOF(m, D[n]) as leaf ranges (empty when m == n or m == 0)."""
    if not 0 <= first <= second:
        raise ValueError("sizes out of order")
    if first in (0, second):
        return []
    out: list[tuple[int, int]] = []
    lo, hi, m, complete = 0, second, first, True
    while True:
        n = hi - lo
        if m == n:
            if not complete:
                out.append((lo, hi))
            break
        k = _split(n)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    out.reverse()
    return out


def subtree_hashes_from_list(hashes: Sequence[bytes], ranges: Iterable[tuple[int, int]]):
    return [root_from_hashes(hashes[a:b]) for a, b in ranges]


def inclusion_proof(hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """An inclusion proof computed from the list of leaf hashes (small trees, tests)."""
    return subtree_hashes_from_list(hashes, inclusion_ranges(index, size))


def consistency_proof(hashes: Sequence[bytes], first: int, second: int) -> list[bytes]:
    return subtree_hashes_from_list(hashes, consistency_ranges(first, second))


# ------------------------------------------------------- proof verification


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: the root that `proof` leads to from leaf hash `leaf`."""
    if not 0 <= index < size:
        raise VerificationError(f"Vị trí lá {index} nằm ngoài cây {size} lá.")
    if len(leaf) != 32 or any(len(p) != 32 for p in proof):
        raise VerificationError("Bằng chứng có giá trị băm sai độ dài.")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerificationError("Bằng chứng dài hơn chiều cao của cây.")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("Bằng chứng ngắn hơn chiều cao của cây.")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise VerificationError(
            f"Lá {index} không nằm trong cây {size} lá có gốc {root.hex()[:16]}…"
        )


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2: the tree of `second` leaves extends the one of `first` leaves."""
    if not 0 <= first <= second:
        raise VerificationError(f"Kích thước {first} lớn hơn {second}: sổ không được co lại.")
    if first == second:
        if proof or first_root != second_root:
            raise VerificationError(f"Hai đầu cây cùng {first} lá nhưng khác gốc (rẽ nhánh).")
        return
    if first == 0:
        if proof:
            raise VerificationError("Bằng chứng từ cây rỗng phải rỗng.")
        return
    if not proof:
        raise VerificationError("Thiếu bằng chứng nhất quán.")
    if any(len(p) != 32 for p in proof):
        raise VerificationError("Bằng chứng có giá trị băm sai độ dài.")
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: its root is the first node
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("Bằng chứng nhất quán dài hơn cần thiết.")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise VerificationError(
            f"Cây {second} lá không mở rộng cây {first} lá: lịch sử sổ đã bị viết lại."
        )


# ------------------------------------------------------ canonical leaf bytes


def canonical_bytes(data: dict) -> bytes:
    """The canonical serialisation of a leaf (docs/ledger-log.md).

    UTF-8 JSON, keys sorted, no whitespace, non-ASCII kept as is: for the
    values a leaf holds (strings in NFC, integers below 2^53, null) this is
    the JSON Canonicalization Scheme of RFC 8785.
    """
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def head_message(size: int, root: bytes, timestamp_ms: int) -> bytes:
    """The bytes an Ed25519 tree head signature covers."""
    return f"{HEAD_CONTEXT}\n{size}\n{root.hex()}\n{timestamp_ms}\n".encode("ascii")


def key_endorsement_message(public_key: bytes) -> bytes:
    """The bytes the previous key signs to endorse its successor."""
    return f"{HEAD_CONTEXT} key\n{base64.b64encode(public_key).decode()}\n".encode("ascii")


def key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


def _ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# ----------------------------------------------------------- whole-log checks


def check_keys(keys: Sequence[dict], pinned: bytes | None) -> dict[str, bytes]:
    """Keys by id, each one after the first endorsed by the one before it."""
    by_id: dict[str, bytes] = {}
    previous: bytes | None = None
    for k in keys:
        pub = base64.b64decode(k["public_key"])
        if key_id(pub) != k["key_id"]:
            raise VerificationError(f"Mã khóa {k['key_id']} không khớp khóa công khai.")
        if previous is not None:
            endorsement = base64.b64decode(k.get("endorsement") or "")
            if not _ed25519_verify(previous, endorsement, key_endorsement_message(pub)):
                raise VerificationError(
                    f"Khóa {k['key_id']} không được khóa trước đó xác nhận (đổi khóa không hợp lệ)."
                )
        by_id[k["key_id"]] = pub
        previous = pub
    if pinned is not None and pinned not in by_id.values():
        raise VerificationError(
            "Khóa công khai bạn đưa vào (--key) không có trong danh sách khóa của sổ."
        )
    return by_id


def check_heads(heads: Sequence[dict], keys: dict[str, bytes]) -> list[dict]:
    """Signatures valid, no fork, sizes never shrink. Returns the heads in time order."""
    ordered = sorted(heads, key=lambda h: (h["timestamp"], h["size"]))
    roots: dict[int, str] = {}
    largest = 0
    for h in ordered:
        pub = keys.get(h["key_id"])
        if pub is None:
            raise VerificationError(f"Đầu cây {h['size']} lá ký bằng khóa lạ {h['key_id']}.")
        root = bytes.fromhex(h["root"])
        if not _ed25519_verify(
            pub, base64.b64decode(h["signature"]), head_message(h["size"], root, h["timestamp"])
        ):
            raise VerificationError(
                f"Chữ ký của đầu cây {h['size']} lá (thời điểm {h['timestamp']}) không hợp lệ."
            )
        seen = roots.setdefault(h["size"], h["root"])
        if seen != h["root"]:
            raise VerificationError(
                f"Rẽ nhánh: hai đầu cây cùng {h['size']} lá có hai gốc khác nhau "
                f"({seen[:16]}… và {h['root'][:16]}…)."
            )
        if h["size"] < largest:
            raise VerificationError(
                f"Đầu cây {h['size']} lá ký sau đầu cây {largest} lá: sổ không được co lại."
            )
        largest = h["size"]
    return ordered


def check_leaves(
    leaves: Iterable[dict],
    heads: Sequence[dict],
    size: int,
    compact: CompactRange | None = None,
) -> tuple[int, list[str]]:
    """Hash every leaf's data again and rebuild the root at every head size.

    `compact`: the leaves before these ones, as a compact range (an
    incremental check starts where the last one ended); none: from leaf 0.
    Returns (leaves checked, problems). A problem names the first leaf whose
    data no longer hashes to what the log holds, and any head whose root the
    leaves do not give. `compact` is left at the last leaf read.
    """
    problems: list[str] = []
    want = {}
    for h in heads:
        want.setdefault(h["size"], h["root"])
    compact = compact if compact is not None else CompactRange()
    first_bad: int | None = None
    bad = 0
    expected = start = compact.size
    for leaf in leaves:
        if leaf["index"] != expected:
            problems.append(f"Thiếu lá {expected} (nhận được lá {leaf['index']}).")
            return expected, problems
        data = leaf.get("data")
        stored = bytes.fromhex(leaf["leaf_hash"])
        if data is None:
            bad += 1
            if first_bad is None:
                first_bad = expected
                problems.append(f"Lá {expected}: bút toán {leaf.get('id')} không còn trong sổ.")
            h = stored
        else:
            h = leaf_hash(canonical_bytes(data))
            if h != stored:
                bad += 1
                if first_bad is None:
                    first_bad = expected
                    problems.append(
                        f"Lá {expected} (bút toán {data.get('id')}): dữ liệu hiện tại không "
                        f"khớp với dữ liệu đã ghi vào sổ, đã bị sửa, xóa hoặc đổi chỗ."
                    )
        compact.push(h)
        expected += 1
        if expected in want and compact.root().hex() != want[expected]:
            problems.append(f"Gốc của {expected} lá đầu tiên không khớp đầu cây đã ký.")
        if expected == size:
            break
    if expected < size:
        problems.append(f"Chỉ nhận được {expected} trên {size} lá.")
    if bad > 1:
        problems.append(f"Tổng cộng {bad} lá không khớp.")
    return expected - start, problems


def check_head_chain(source, heads: Sequence[dict], since: int = 0) -> tuple[int, list[str]]:
    """Each signed tree size extends the one before it: one consistency proof per step.

    The heads' distinct sizes in increasing order (forks are refused before
    this); steps ending at or below `since` (a size checked on an earlier run)
    are skipped. No leaf is downloaded: a proof is ~log2(n) hashes. Returns
    (proofs checked, problems).
    """
    roots: dict[int, bytes] = {}
    for h in heads:
        roots.setdefault(h["size"], bytes.fromhex(h["root"]))
    sizes = sorted(roots)
    checked, problems = 0, []
    for first, second in zip(sizes, sizes[1:], strict=False):
        if second <= since or first == 0:
            continue
        try:
            proof = [bytes.fromhex(p) for p in source.consistency(first, second)["proof"]]
            verify_consistency(first, second, roots[first], roots[second], proof)
        except VerificationError as exc:
            problems.append(f"Đầu cây {first} lá → {second} lá: {exc}")
        except (KeyError, ValueError) as exc:
            problems.append(f"Đầu cây {first} lá → {second} lá: không lấy được bằng chứng ({exc}).")
        checked += 1
    return checked, problems


# ------------------------------------------------------------- data sources


class HttpSource:
    """The portal's public API (api/v1/public/log/...)."""

    retries = 30  # answers 429 (too many requests) waited out before giving up

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/") + "/api/v1/public/log/"

    def _get(self, path: str, **params) -> dict:
        url = self.base + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        if not url.startswith(("http://", "https://")):
            raise VerificationError(f"Địa chỉ không hợp lệ: {url}")
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - checked
                    return json.load(response)
            except urllib.error.HTTPError as exc:
                # the API's per-address budget (429): wait as told and ask again (a first
                # run checks one consistency proof per signed head: hundreds of requests)
                if exc.code != 429 or attempt == self.retries:
                    raise
                wait = exc.headers.get("Retry-After") if exc.headers else None
                time.sleep(min(float(wait) if wait and wait.isdigit() else 5.0, 120.0))
        raise AssertionError("unreachable")

    def heads(self) -> dict:
        return self._get("heads/")

    def leaves(self, start: int, end: int) -> list[dict]:
        return self._get("leaves/", start=start, end=end)["leaves"]

    def inclusion(self, entry: int, size: int) -> dict:
        return self._get("inclusion/", entry=entry, size=size)

    def consistency(self, first: int, second: int) -> dict:
        return self._get("consistency/", first=first, second=second)


def iter_leaves(source, size: int, page: int = PAGE, start: int = 0) -> Iterator[dict]:
    for first in range(start, size, page):
        yield from source.leaves(first, min(first + page, size))


def verify_log(
    source,
    *,
    pinned_key: bytes | None = None,
    entry: int | None = None,
    state: dict | None = None,
    full: bool = False,
    out: Callable[[str], None] = print,
) -> tuple[bool, dict]:
    """Run the checks; print what holds and what does not. Returns (ok, new state).

    Always: keys, signatures, forks, and a consistency proof between each two
    successive signed sizes (and from the head kept in `state`): the whole
    signed history is one append-only log, without downloading leaves.
    `full`: every leaf is downloaded and hashed again, the first bad one named.
    Otherwise, when `state` holds the frontier of an earlier leaf check, only
    the leaves added since are downloaded and checked (a monitor's daily run).
    """
    problems: list[str] = []
    info = source.heads()
    try:
        keys = check_keys(info["keys"], pinned_key)
        heads = check_heads(info["heads"], keys)
    except VerificationError as exc:
        out(f"LỖI: {exc}")
        return False, state or {}
    if not heads:
        out("Sổ chưa có đầu cây nào được ký.")
        return False, state or {}
    latest = heads[-1]
    size, root = latest["size"], latest["root"]
    out(
        f"{len(heads)} đầu cây đã ký, chữ ký hợp lệ, không rẽ nhánh; mới nhất: "
        f"{size} lá, gốc {root[:16]}…"
    )
    state_ok = False
    old_size = int(state.get("size") or 0) if state else 0
    if old_size:
        old_root = bytes.fromhex(state["root"])
        try:
            if old_size > size:
                raise VerificationError(f"Lần trước sổ có {old_size} lá, nay chỉ còn {size}.")
            proof = [bytes.fromhex(p) for p in source.consistency(old_size, size)["proof"]]
            verify_consistency(old_size, size, old_root, bytes.fromhex(root), proof)
            out(f"Nhất quán với đầu cây đã thấy lần trước ({old_size} lá).")
            state_ok = True
        except VerificationError as exc:
            problems.append(str(exc))
    steps, chain_problems = check_head_chain(source, heads, since=old_size if state_ok else 0)
    problems += chain_problems
    if not chain_problems:
        out(f"{steps} bằng chứng nhất quán giữa các đầu cây liên tiếp: hợp lệ (không tải lá).")
    new_state: dict = {"size": size, "root": root}
    frontier = state.get("frontier") if state_ok and state else None
    if full or frontier is not None:
        try:
            compact = (
                CompactRange() if full else CompactRange.from_frontier(old_size, frontier)  # type: ignore[arg-type]
            )
            if compact.size and compact.root() != bytes.fromhex(state["root"]):  # type: ignore[index]
                raise VerificationError("Tệp trạng thái hỏng: biên không cho gốc đã lưu.")
        except (VerificationError, ValueError) as exc:
            problems.append(str(exc))
        else:
            first = compact.size
            checked, leaf_problems = check_leaves(
                iter_leaves(source, size, start=first), heads, size, compact
            )
            problems += leaf_problems
            if not leaf_problems:
                what = "" if full or not first else f" mới (từ lá {first})"
                out(f"{checked} lá{what}: dữ liệu khớp, gốc của các đầu cây dựng lại đúng.")
                new_state["frontier"] = compact.frontier()
    else:
        out(
            "Không tải từng lá (chỉ bằng chứng); kiểm tra toàn bộ từng lá: thêm --full "
            "(lưu --state để lần sau chỉ kiểm tra lá mới)."
        )
    if entry is not None:
        try:
            proof = source.inclusion(entry, size)
            data = proof["data"]
            h = leaf_hash(canonical_bytes(data))
            verify_inclusion(
                proof["index"],
                size,
                h,
                [bytes.fromhex(p) for p in proof["proof"]],
                bytes.fromhex(root),
            )
            amount = f"{data['amount']:,}".replace(",", ".")
            out(
                f"Bút toán {entry} nằm trong sổ ở lá {proof['index']}: ngày {data['date']}, "
                f"số tiền {amount} đ, nội dung “{data['memo']}”."
            )
        except VerificationError as exc:
            problems.append(f"Bút toán {entry}: {exc}")
        except (KeyError, ValueError, TypeError) as exc:
            problems.append(f"Bút toán {entry}: không lấy được bằng chứng ({exc}).")
    for p in problems:
        out(f"LỖI: {p}")
    if problems and state:
        new_state = state  # keep the last good head
    return not problems, new_state


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kiểm tra sổ cái công khai (mattran).")
    parser.add_argument("url", help="địa chỉ cổng thông tin, ví dụ https://mattran.example.vn")
    parser.add_argument("--key", help="khóa công khai Ed25519 đã công bố (base64)")
    parser.add_argument("--entry", type=int, help="mã bút toán cần kiểm tra (trong trang Xác minh)")
    parser.add_argument("--state", help="tệp lưu đầu cây đã kiểm tra, để lần sau so sánh")
    parser.add_argument(
        "--full",
        action="store_true",
        help="tải và băm lại mọi lá, chỉ ra lá sai đầu tiên (lâu với sổ lớn)",
    )
    args = parser.parse_args(argv)
    state = None
    if args.state:
        try:
            with open(args.state, encoding="utf-8") as fh:
                state = json.load(fh)
        except FileNotFoundError:
            state = None
    pinned = base64.b64decode(args.key) if args.key else None
    if pinned is None:
        print("Chú ý: không có --key, chỉ tin các khóa máy chủ công bố.")
    try:
        ok, new_state = verify_log(
            HttpSource(args.url), pinned_key=pinned, entry=args.entry, state=state, full=args.full
        )
    except OSError as exc:
        print(f"LỖI: không đọc được {args.url}: {exc}")
        return 1
    if args.state and ok:
        with open(args.state, "w", encoding="utf-8") as fh:
            json.dump(new_state, fh)
    print("KẾT QUẢ: SỔ HỢP LỆ" if ok else "KẾT QUẢ: SỔ KHÔNG HỢP LỆ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
