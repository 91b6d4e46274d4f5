#!/usr/bin/env python3
"""sv_harness.py — run the suricata-verify DEV tests through `setu sensor` and judge each
with the suite's own checker, as ../shared/testdata/suricata-verify/README.md (USAGE) says.

Prints one line per test and a closing `N passed, N failed, N skipped`. Exits non-zero when
fewer tests pass than --min-pass (a regression guard: the floor only ever rises), or when a
run crashes (signal, sanitizer report) — a crash is never acceptable, whatever the test.
"""
import argparse
import os
import shlex
import subprocess
import sys
from collections import defaultdict


def find_pcap(d, test_yaml):
    pcap = test_yaml.get("pcap") if isinstance(test_yaml, dict) else None
    if pcap:
        return os.path.normpath(os.path.join(d, pcap))
    cands = [f for f in os.listdir(d) if f.endswith((".pcap", ".pcapng"))]
    return os.path.join(d, cands[0]) if len(cands) == 1 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--setu", required=True)
    ap.add_argument("--sv", required=True, help="suricata-verify folder")
    ap.add_argument("--rules-dir", required=True, help="folder with classification.config")
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-pass", type=int, default=0)
    ap.add_argument("--only", default=None, help="run only tests whose name contains this")
    ap.add_argument("--timeout", type=int, default=120)
    args = ap.parse_args()

    try:
        import yaml  # noqa: F401  (sv_check.py needs it too)
    except ImportError:
        print("SKIP: python3-yaml is not installed (scripts/install-deps.sh installs it)")
        return 77

    sv = os.path.abspath(args.sv)
    checker = os.path.join(sv, "sv_check.py")
    if not os.path.exists(os.path.join(sv, "tier1_dev.txt")):
        print("SKIP: shared testdata absent: " + os.path.join(sv, "tier1_dev.txt"))
        return 77
    names = [l.strip() for l in open(os.path.join(sv, "tier1_dev.txt"))
             if l.strip() and not l.startswith("#")]
    cats = {}
    for l in open(os.path.join(sv, "tier1_dev.tsv")):
        if l.startswith("#"):
            continue
        f = l.rstrip("\n").split("\t")
        if len(f) > 1:
            cats[f[0]] = f[1]

    env = dict(os.environ, TZ="UTC")
    totals = defaultdict(int)
    bycat = defaultdict(lambda: defaultdict(int))
    crashes = []
    for name in names:
        if args.only and args.only not in name:
            continue
        d = os.path.join(sv, "tests", name)
        with open(os.path.join(d, "test.yaml")) as fh:
            ty = yaml.safe_load(fh) or {}
        pcap = find_pcap(d, ty)
        out = os.path.join(os.path.abspath(args.out), name.replace("/", "_"))
        os.makedirs(out, exist_ok=True)
        eve = os.path.join(out, "eve.json")
        if os.path.exists(eve):
            os.unlink(eve)
        cmd = [args.setu, "sensor", "-r", pcap, "-l", out,
               "--set", "classification-file=" + os.path.join(args.rules_dir, "classification.config"),
               "--set", "reference-config-file=" + os.path.join(args.rules_dir, "reference.config")]
        rules = [f for f in os.listdir(d) if f.endswith(".rules")]
        if len(rules) == 1:
            cmd += ["-S", os.path.join(d, rules[0])]
        if os.path.exists(os.path.join(d, "suricata.yaml")):
            cmd += ["-c", os.path.join(d, "suricata.yaml")]
        for a in ty.get("args", []) or []:
            cmd += shlex.split(str(a).replace("${TEST_DIR}", d))
        try:
            r = subprocess.run(cmd, cwd=d, env=env, capture_output=True, text=True,
                               timeout=args.timeout)
            rc, err = r.returncode, r.stderr
        except subprocess.TimeoutExpired:
            rc, err = -999, "timeout"
        with open(os.path.join(out, "setu.log"), "w") as fh:
            fh.write(" ".join(shlex.quote(c) for c in cmd) + "\n" + err)
        if rc < 0 or "Sanitizer" in err or "runtime error:" in err:
            crashes.append(name)
            verdict = "CRASH"
        else:
            if not os.path.exists(eve):
                open(eve, "w").close()
            # setu emits JA3 (tls.ja3 when the configuration enables it), so it declares it
            c = subprocess.run([sys.executable, checker, d, eve, "--version", "9.0.0",
                                "--feature", "HAVE_JA3",
                                "--quiet"], capture_output=True, text=True, env=env)
            verdict = {0: "PASS", 1: "FAIL", 3: "FAIL", 77: "SKIP"}.get(c.returncode, "ERROR")
        cat = cats.get(name, "?")
        key = {"PASS": "passed", "SKIP": "skipped"}.get(verdict, "failed")
        totals[key] += 1
        bycat[cat][key] += 1
        print(f"{verdict:5} {name} [{cat}]" + (f" (setu exit {rc})" if rc not in (0,) and verdict != "PASS" else ""))

    print()
    for cat in sorted(bycat):
        c = bycat[cat]
        run = c["passed"] + c["failed"]
        pct = 100.0 * c["passed"] / run if run else 0.0
        print(f"  {cat:24} {c['passed']:3} passed {c['failed']:3} failed {c['skipped']:3} skipped  ({pct:.0f}%)")
    print(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    if crashes:
        print("crashed: " + ", ".join(crashes))
        return 1
    if totals["passed"] < args.min_pass:
        print(f"regression: {totals['passed']} passed, the floor is {args.min_pass}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
