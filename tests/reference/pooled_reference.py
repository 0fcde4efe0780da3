"""Independent reference for gemscan's pooled backtest (SPEC §2-§5).

Run once in a throw-away venv (numpy, scipy, pandas) to obtain the expected
values stored in tests/backtest_numbers.rs:

    python3 tests/reference/pooled_reference.py tests/fixtures/sp500_sample.csv 10 42

Written from the SPEC, not from the Rust code.
"""
import struct
import sys

import numpy as np
import pandas as pd
from scipy.stats import hypergeom

MASK = (1 << 64) - 1


def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & MASK


def siphash24(k0, k1, data):
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573

    def rnd():
        nonlocal v0, v1, v2, v3
        v0 = (v0 + v1) & MASK; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
        v2 = (v2 + v3) & MASK; v3 = rotl(v3, 16); v3 ^= v2
        v0 = (v0 + v3) & MASK; v3 = rotl(v3, 21); v3 ^= v0
        v2 = (v2 + v1) & MASK; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)

    n = len(data)
    tail = data[n - n % 8:]
    for i in range(0, n - n % 8, 8):
        m = struct.unpack("<Q", data[i:i + 8])[0]
        v3 ^= m; rnd(); rnd(); v0 ^= m
    b = (n & 0xFF) << 56
    for i, c in enumerate(tail):
        b |= c << (8 * i)
    v3 ^= b; rnd(); rnd(); v0 ^= b
    v2 ^= 0xFF
    for _ in range(4):
        rnd()
    return v0 ^ v1 ^ v2 ^ v3


def row_key(seed, token, nanos):
    return siphash24(seed, 0, token.encode() + b"\x00" + struct.pack("<q", nanos))


assert row_key(42, "BTC", 1704067200 * 10**9) == 16070534159614859097
assert row_key(7, "ETH", pd.Timestamp("2024-03-31T21:30:00Z").value) == 4207453006704575614
assert row_key(42, "", 0) == 1553702353985752124

WEIGHTS = [("SentimentScore", 0.15), ("AccumulationScore", 0.20), ("OnchainActivity", 0.15),
           ("LiquidityDepth", 0.10), ("TokenomicsRisk", 0.12), ("ContractSafety", 0.12),
           ("NarrativeMomentum", 0.08), ("CommunityGrowth", 0.08)]


def main(path, k, seed):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["line"] = np.arange(len(df)) + 2  # header is line 1, no blank lines
    num = lambda c: pd.to_numeric(df[c].replace({"": np.nan, "NA": np.nan, "null": np.nan}), errors="raise")
    s = np.zeros(len(df))
    for name, w in WEIGHTS:
        col = "f_" + name
        x = num(col).fillna(0).clip(0, 1).to_numpy() if col in df else np.zeros(len(df))
        s = s + w * x  # left to right in table order
    df["score"] = np.clip(s, 0, 1) * 100
    df["ret"] = num("future_return_7d")
    df["nanos"] = pd.to_datetime(df["date"], utc=True).dt.as_unit("ns").astype("int64")
    u = df[df["ret"].notna()].copy()
    n = len(u)
    m = min(k, n)

    def pick(key_col, ascending):
        return u.sort_values([key_col, "token", "nanos", "line"], ascending=[ascending, True, True, True]).head(m)

    gem = pick("score", False)
    hits = int((gem["ret"] > 0).sum())
    prec = hits / m
    ret = float(np.mean(gem["ret"].to_numpy()))
    pos = int((u["ret"] > 0).sum())
    print("N", n, "positives", pos, "hits", hits)
    print("precision_at_k", repr(prec))
    print("average_return_at_k", repr(ret))
    print("flagged", list(gem["token"]))
    print("random_expectation", repr(pos / n), repr(float(np.sum(u["ret"].to_numpy(dtype=np.float128)) / n)))
    print("p_value", repr(float(hypergeom.sf(hits - 1, n, pos, m))))
    u["cap"] = num("f_volume_24h_usd").reindex(u.index).fillna(0)
    u["mom"] = num("f_PriceChange7d").reindex(u.index).fillna(0)
    u["rnd"] = [row_key(seed, t, int(x)) for t, x in zip(u["token"], u["nanos"])]
    u["rnd_f"] = u["rnd"].astype("uint64")
    for name, col, asc in [("random", "rnd_f", True), ("cap_weighted", "cap", False), ("simple_momentum", "mom", False)]:
        b = pick(col, asc)
        bp = float((b["ret"] > 0).sum() / m)
        br = float(np.mean(b["ret"].to_numpy()))
        print(name, repr(bp), repr(br), list(b["token"]))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
