"""Independent reference for gemscan's extended metrics and time slicing
(SPEC §4.2, §6, §10).

Run once in a throw-away venv (numpy, scipy, pandas, scikit-learn) to obtain
the expected values stored in tests/extended_numbers.rs:

    python3 tests/reference/extended_reference.py tests/fixtures/sp500_sample.csv 10 42 [week|month|quarter]

Prints JSON. Written from the SPEC with scipy/sklearn/pandas, not from the
Rust code. Without a slice argument: pooled mode.
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import average_precision_score, roc_auc_score

sys.path.insert(0, __import__("os").path.dirname(__file__))
from pooled_reference import WEIGHTS, row_key  # noqa: E402


def load(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["line"] = np.arange(len(df)) + 2
    num = lambda c: pd.to_numeric(df[c].replace({"": np.nan, "NA": np.nan, "null": np.nan}), errors="raise")
    s = np.zeros(len(df))
    for name, w in WEIGHTS:
        col = "f_" + name
        x = num(col).fillna(0).clip(0, 1).to_numpy() if col in df else np.zeros(len(df))
        s = s + w * x
    df["score"] = np.clip(s, 0, 1) * 100
    df["ret"] = num("future_return_7d")
    ts = pd.to_datetime(df["date"], utc=True)
    df["nanos"] = ts.dt.as_unit("ns").astype("int64")
    df["day"] = ts.dt.tz_localize(None).dt.normalize()
    df["cap"] = num("f_volume_24h_usd").fillna(0) if "f_volume_24h_usd" in df else 0.0
    df["mom"] = num("f_PriceChange7d").fillna(0) if "f_PriceChange7d" in df else 0.0
    u = df[df["ret"].notna()].copy()
    return u


def risk(r, ppy, rf=0.0):
    r = np.asarray(r, dtype=float)
    n = len(r)
    prod = float(np.prod(1 + r))
    ex = r - rf
    out = {
        "total_return": float(np.sum(r)),
        "cumulative_return": prod - 1,
        "annualized_return": None if prod < 0 else prod ** (ppy / n) - 1,
        "mean_return": float(np.mean(r)),
        "median_return": float(np.median(r)),
        "volatility": float(np.std(r, ddof=1)) if n >= 2 else None,
    }
    out["annualized_volatility"] = None if out["volatility"] is None else out["volatility"] * np.sqrt(ppy)
    dd = float(np.sqrt(np.mean(np.minimum(ex, 0) ** 2)))
    out["downside_deviation"] = dd
    eq = np.concatenate([[1.0], np.cumprod(1 + r)])
    peak = np.maximum.accumulate(eq)
    mdd = float(np.max((peak - eq) / peak))
    out["max_drawdown"] = mdd
    sd = float(np.std(ex, ddof=1)) if n >= 2 else 0.0
    out["sharpe"] = float(np.mean(ex) / sd * np.sqrt(ppy)) if n >= 2 and sd > 0 else None
    out["sortino"] = float(np.mean(ex) / dd * np.sqrt(ppy)) if dd > 0 else None
    ar = out["annualized_return"]
    out["calmar"] = ar / mdd if (mdd > 0 and ar is not None) else None
    out["win_rate"] = float(np.mean(r > 0))
    neg = -np.sum(r[r < 0])
    out["profit_factor"] = float(np.sum(r[r > 0]) / neg) if neg > 0 else None
    return out


def universe(u):
    x, y = u["score"].to_numpy(), u["ret"].to_numpy()
    pr, pp = stats.pearsonr(x, y)
    sr, sp = stats.spearmanr(x, y)
    kr, kp = stats.kendalltau(x, y, method="asymptotic")
    ics, rics = [], []
    for _, g in u.groupby("day"):
        gx, gy = g["score"].to_numpy(), g["ret"].to_numpy()
        if len(g) < 2 or np.all(gx == gx[0]) or np.all(gy == gy[0]):
            continue
        ics.append(stats.pearsonr(gx, gy)[0])
        rics.append(stats.spearmanr(gx, gy)[0])
    lab = (y > 0).astype(int)
    base = float(lab.mean())
    return {
        "ic": {
            "pearson": float(pr), "pearson_p_value": float(pp),
            "spearman": float(sr), "spearman_p_value": float(sp),
            "kendall": float(kr), "kendall_p_value": float(kp),
            "ic_mean": float(np.mean(ics)), "ic_std": float(np.std(ics, ddof=1)),
            "ic_ir": float(np.mean(ics) / np.std(ics, ddof=1)),
            "rank_ic_mean": float(np.mean(rics)), "rank_ic_std": float(np.std(rics, ddof=1)),
            "rank_ic_ir": float(np.mean(rics) / np.std(rics, ddof=1)),
            "periods": len(ics),
            "hit_rate": float(np.mean((x >= 50) == (y > 0))),
        },
        "classification": {
            "roc_auc": float(roc_auc_score(lab, x)),
            "pr_auc": float(average_precision_score(lab, x)),
            "base_rate": base, "baseline_accuracy": max(base, 1 - base),
        },
    }


def pick(u, m, key, ascending):
    return u.sort_values([key, "token", "nanos", "line"], ascending=[ascending, True, True, True]).head(m)


def period_label(day, by):
    if by == "week":
        mon = day - pd.Timedelta(days=day.weekday())
        return mon, f"{mon:%Y-%m-%d}/{mon + pd.Timedelta(days=6):%Y-%m-%d}"
    if by == "month":
        return pd.Timestamp(day.year, day.month, 1), f"{day:%Y-%m}"
    q = (day.month - 1) // 3
    return pd.Timestamp(day.year, 3 * q + 1, 1), f"{day.year}Q{q + 1}"


def most_flagged(sel_per_period, key, ascending, k):
    counts, best = {}, {}
    for sel in sel_per_period:
        for t in dict.fromkeys(sel["token"]):
            counts[t] = counts.get(t, 0) + 1
        for _, row in sel.iterrows():
            cand = (row[key] if ascending else -row[key], row["token"], row["nanos"], row["line"])
            if row["token"] not in best or cand < best[row["token"]]:
                best[row["token"]] = cand
    order = sorted(counts, key=lambda t: (-counts[t], best[t]))
    return order[:k]


def sliced(u, k, seed, by):
    u["rnd"] = [float("nan")] * len(u)
    u["rnd"] = np.array([row_key(seed, t, int(x)) for t, x in zip(u["token"], u["nanos"])], dtype=np.uint64)
    u["pkey"] = [period_label(d, by)[0] for d in u["day"]]
    periods = []
    for pk, g in sorted(u.groupby("pkey"), key=lambda kv: kv[0]):
        m = min(k, len(g))
        rec = {"label": period_label(g["day"].iloc[0], by)[1],
               "start_date": f"{g['day'].min():%Y-%m-%d}", "end_date": f"{g['day'].max():%Y-%m-%d}",
               "rows": len(g), "N": len(g), "pos": int((g["ret"] > 0).sum()), "m": m}
        for name, key, asc in [("gem", "score", False), ("random", "rnd", True),
                               ("cap_weighted", "cap", False), ("simple_momentum", "mom", False)]:
            s = pick(g, m, key, asc)
            rec[name] = {"sel": s, "precision": float((s["ret"] > 0).sum() / m),
                         "avg_return": float(np.mean(s["ret"].to_numpy())), "hits": int((s["ret"] > 0).sum())}
        rec["exp_p"] = rec["pos"] / rec["N"]
        rec["exp_r"] = float(np.mean(g["ret"].to_numpy()))
        periods.append(rec)
    # exact p-value: convolution of per-period hypergeometric pmfs
    total_hits = sum(p["gem"]["hits"] for p in periods)
    dist = np.array([1.0])
    for p in periods:
        ks = np.arange(0, p["m"] + 1)
        pmf = stats.hypergeom.pmf(ks, p["N"], p["pos"], p["m"])
        dist = np.convolve(dist, pmf)
    pval = float(dist[total_hits:].sum())
    prec = [p["gem"]["precision"] for p in periods]
    rets = [p["gem"]["avg_return"] for p in periods]
    out = {
        "precision_at_k": float(np.mean(prec)), "average_return_at_k": float(np.mean(rets)),
        "precision_std": float(np.std(prec)), "precision_min": min(prec), "precision_max": max(prec),
        "return_std": float(np.std(rets)), "return_min": min(rets), "return_max": max(rets),
        "precision_p_value": pval,
        "random_expectation": {"precision": float(np.mean([p["exp_p"] for p in periods])),
                               "avg_return": float(np.mean([p["exp_r"] for p in periods]))},
        "flagged_assets": most_flagged([p["gem"]["sel"] for p in periods], "score", False, k),
        "time_slices": [{"period_id": i, "label": p["label"], "start_date": p["start_date"],
                         "end_date": p["end_date"], "rows": p["rows"],
                         "precision": p["gem"]["precision"], "avg_return": p["gem"]["avg_return"],
                         "flagged_assets": list(p["gem"]["sel"]["token"])} for i, p in enumerate(periods)],
        "baselines": {},
        "risk": risk(rets, {"week": 52, "month": 12, "quarter": 4}[by]),
    }
    for name, key, asc in [("random", "rnd", True), ("cap_weighted", "cap", False), ("simple_momentum", "mom", False)]:
        out["baselines"][name] = {
            "precision": float(np.mean([p[name]["precision"] for p in periods])),
            "avg_return": float(np.mean([p[name]["avg_return"] for p in periods])),
            "selected_assets": most_flagged([p[name]["sel"] for p in periods], key, asc, k),
        }
    return out


def main(path, k, seed, by=None):
    u = load(path)
    out = universe(u)
    if by is None:
        m = min(k, len(u))
        gem = pick(u, m, "score", False).sort_values(["nanos"], kind="stable")
        out["risk"] = risk(gem["ret"].to_numpy(), 52)
    else:
        out.update(sliced(u, k, seed, by))
    print(json.dumps(out, indent=1, default=float))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *(sys.argv[4:5]))
