#!/usr/bin/env python3
"""pcaps_robust.py — every capture in ../shared/testdata/pcaps through `setu sensor`:
no crash (signal), no sanitizer report, no hang. A non-zero exit is allowed only with a
one-line reason on stderr (unknown link type, corrupt file). Prints a line per failure and
a closing `N passed, N failed, N skipped`."""
import argparse
import concurrent.futures
import os
import subprocess
import sys


def run_one(setu, pcaps, rel, out, timeout, rules):
    path = os.path.join(pcaps, rel)
    d = os.path.join(out, rel.replace("/", "_"))
    os.makedirs(d, exist_ok=True)
    cmd = [setu, "sensor", "-r", path, "-l", d, "-k", "none"]
    if rules:
        cmd += ["-S", rules]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           errors="replace")
    except subprocess.TimeoutExpired:
        return rel, "hang (timeout %ds)" % timeout
    err = r.stderr
    if r.returncode < 0:
        return rel, "killed by signal %d: %s" % (-r.returncode, err[-400:])
    if "Sanitizer" in err or "runtime error:" in err:
        return rel, "sanitizer: " + err[:800]
    if r.returncode != 0:
        lines = [l for l in err.splitlines() if l.strip()]
        if not lines:
            return rel, "exit %d without a reason on stderr" % r.returncode
    return rel, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--setu", required=True)
    ap.add_argument("--pcaps", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--rules", default=None)
    args = ap.parse_args()
    manifest = os.path.join(args.pcaps, "MANIFEST.txt")
    if not os.path.exists(manifest):
        print("SKIP: shared testdata absent: " + manifest)
        return 77
    files, skipped = [], 0
    for line in open(manifest):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        if len(f) < 6 or not f[5].startswith("pcap"):
            continue
        if f[0].endswith(".gz"):
            skipped += 1
            continue
        files.append(f[0])
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(run_one, args.setu, args.pcaps, rel, args.out, args.timeout,
                          args.rules) for rel in files]
        for fu in concurrent.futures.as_completed(futs):
            rel, why = fu.result()
            if why:
                failed.append(rel)
                print("FAIL %s: %s" % (rel, why))
    print("%d passed, %d failed, %d skipped" % (len(files) - len(failed), len(failed), skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
