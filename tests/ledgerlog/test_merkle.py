"""RFC 6962 / RFC 9162 Merkle tree hashing and proofs, checked against known test vectors.

The vectors are those of transparency-dev/merkle, proof/verify_test.go
(commit 02194e9afb6c1d95b5381350007963aa70fff472; the same set as
google/certificate-transparency's C++ and Go tests): eight leaves, the root of
each prefix of 1..8 leaves, inclusion proofs and consistency proofs.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from mattran.ledgerlog.verifier import (
    EMPTY_ROOT,
    CompactRange,
    VerificationError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_hashes,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]


def _h(*hexes: str) -> list[bytes]:
    return [bytes.fromhex(x) for x in hexes]


# (leaf number counted from 1, tree size, proof)
INCLUSION = [
    (
        1,
        8,
        _h(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        _h(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (3, 3, _h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (
        2,
        5,
        _h(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (1, 1, []),
]

# (size1, size2, proof)
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        _h(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        _h(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (
        2,
        5,
        _h(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (
        6,
        7,
        _h(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
]

HASHES = [leaf_hash(d) for d in LEAVES]


def test_empty_tree_and_leaf_hash_as_rfc6962():
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_from_hashes([]) == EMPTY_ROOT
    # leaf prefix 0x00, node prefix 0x01
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_of_each_prefix(size):
    assert root_from_hashes(HASHES[:size]) == ROOTS[size - 1]
    compact = CompactRange()
    for h in HASHES[:size]:
        compact.push(h)
    assert compact.root() == ROOTS[size - 1]


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_vectors(leaf, size, proof):
    assert inclusion_proof(HASHES, leaf - 1, size) == proof
    verify_inclusion(leaf - 1, size, HASHES[leaf - 1], proof, ROOTS[size - 1])


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_consistency_vectors(first, second, proof):
    assert consistency_proof(HASHES, first, second) == proof
    verify_consistency(first, second, ROOTS[first - 1], ROOTS[second - 1], proof)


def _flip(proof, i):
    bad = list(proof)
    bad[i] = bytes([bad[i][0] ^ 8]) + bad[i][1:]
    return bad


@pytest.mark.parametrize(("leaf", "size", "proof"), [v for v in INCLUSION if v[2]])
def test_corrupted_inclusion_proofs_fail(leaf, size, proof):
    """The corruptions of verify_test.go's corruptInclusionProof."""
    index, root, h = leaf - 1, ROOTS[size - 1], HASHES[leaf - 1]
    probes = [
        (index - 1, size, h, proof, root),
        (index + 1, size, h, proof, root),
        (index ^ 2, size, h, proof, root),
        (index, size * 2, h, proof, root),
        (index, size // 2, h, proof, root),
        (index, size, leaf_hash(b"WrongLeaf"), proof, root),
        (index, size, h, proof, EMPTY_ROOT),
        (index, size, h, [*proof, root], root),
        (index, size, h, [root, *proof], root),
        (index, size, h, proof[:-1], root),
        *((index, size, h, _flip(proof, i), root) for i in range(len(proof))),
    ]
    for probe in probes:
        with pytest.raises(VerificationError):
            verify_inclusion(*probe)


@pytest.mark.parametrize(("first", "second", "proof"), [v for v in CONSISTENCY if v[2]])
def test_corrupted_consistency_proofs_fail(first, second, proof):
    r1, r2 = ROOTS[first - 1], ROOTS[second - 1]
    probes = [
        (first - 1, second, r1, r2, proof),
        (first + 1, second, r1, r2, proof),
        (first ^ 2, second, r1, r2, proof),
        (first, second * 2, r1, r2, proof),
        (first, second // 2, r1, r2, proof),
        (first, second, r2, r1, proof),
        (first, second, r1, r2, []),
        (first, second, r1, r2, [*proof, r1]),
        (first, second, r1, r2, [r2, *proof]),
        (first, second, r1, r2, proof[:-1]),
        *((first, second, r1, r2, _flip(proof, i)) for i in range(len(proof))),
    ]
    for probe in probes:
        with pytest.raises(VerificationError):
            verify_consistency(*probe)


def test_same_size_different_root_is_a_fork():
    with pytest.raises(VerificationError, match="rẽ nhánh"):
        verify_consistency(3, 3, ROOTS[2], ROOTS[3], [])


def test_every_proof_of_a_random_tree_verifies():
    rng = random.Random(15)
    hashes = [leaf_hash(rng.randbytes(8)) for _ in range(70)]
    for size in (1, 2, 3, 17, 64, 70):
        root = root_from_hashes(hashes[:size])
        for index in range(size):
            verify_inclusion(index, size, hashes[index], inclusion_proof(hashes, index, size), root)
        for first in range(1, size + 1):
            proof = consistency_proof(hashes, first, size)
            verify_consistency(first, size, root_from_hashes(hashes[:first]), root, proof)


def test_the_fast_entry_serialisation_is_the_canonical_one():
    import datetime as dt

    from mattran.ledgerlog.leaves import entry_leaf, entry_leaf_bytes
    from mattran.ledgerlog.verifier import canonical_bytes

    base = {
        "id": 7,
        "fund_id": 3,
        "booked_on": dt.date(2024, 9, 10),
        "amount": 10**15,
        "sign": -1,
        "kind": "reversal",
        "purpose": "",
        "party_name": 'Hoà "Bình" \\ Đ',
        "memo": "ủng hộ\tbão\nYagi \x01\x7f \u2028 😀 0912345678",
        "reference": "FT 1",
        "reverses_id": 5,
        "voucher_series": "",
        "voucher_year": None,
        "voucher_number": None,
    }
    for row in (
        base,
        {
            **base,
            "reverses_id": None,
            "voucher_series": "PT",
            "voucher_year": 2024,
            "voucher_number": 12,
            "sign": 1,
            "kind": "receipt",
            "reference": "",
        },
    ):
        leaf = entry_leaf(row)
        assert entry_leaf_bytes(leaf) == canonical_bytes(leaf)


def test_the_verifier_waits_out_the_apis_rate_limit(monkeypatch):
    """A first run asks one consistency proof per head: a 429 is waited out, then retried."""
    import io
    import json
    import urllib.error

    from mattran.ledgerlog import verifier

    answers = [
        urllib.error.HTTPError("u", 429, "Too Many Requests", {"Retry-After": "0"}, None),
        io.BytesIO(json.dumps({"first": 1, "second": 2, "proof": []}).encode()),
    ]
    calls = []

    def urlopen(url, timeout):
        calls.append(url)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(verifier.urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(verifier.time, "sleep", lambda seconds: None)
    assert verifier.HttpSource("http://127.0.0.1:9").consistency(1, 2)["second"] == 2
    assert len(calls) == 2
    answers[:] = [
        urllib.error.HTTPError("u", 404, "Not Found", {}, None),
    ]
    with pytest.raises(urllib.error.HTTPError):
        verifier.HttpSource("http://127.0.0.1:9").heads()
