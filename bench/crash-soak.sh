#!/usr/bin/env bash
# The crash harness as a soak: PrimaryCrashTest with TRIALS seeds per transfer type and scenario
# (restart as primary; forced takeover and return of the old primary; SYNC with a secondary paused
# by SIGSTOP before the kill; the primary killed during a new member's first copy), each trial a SIGKILL of the primary's JVM during tagged NBD writes
# with FLUSH every 150 ms. README's test command runs 1.
#   bench/crash-soak.sh            (TRIALS=5: 36 trials in all, 7 per seed and one unseeded)
# Prints one line per scenario and transfer type: trials, diverged or lost, trials where no
# survivor was whole (the primary went on without every secondary, and told them so: a takeover may
# lose acknowledged writes, and the test then checks only that nothing diverges), time per trial;
# exits non-zero if any trial failed (its assertion is in the surefire report named at the end).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TRIALS=${TRIALS:-5}
REPORT=$ROOT/storage-connector/storage-engine/target/surefire-reports/TEST-org.roamstore.storage.replication.PrimaryCrashTest.xml

command -v mvn >/dev/null || { echo "missing mvn" >&2; exit 1; }
rm -f "$REPORT"
mkdir -p "$ROOT/bench/target"
status=0
(cd "$ROOT" && mvn -B -ntp -q -pl storage-connector/storage-engine -am test \
  -Dtest=PrimaryCrashTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Droamstore.crash.trials="$TRIALS" -Dspotless.check.skip=true -Dspotless.apply.skip=true) \
  > "$ROOT/bench/target/crash-soak.log" 2>&1 || status=$?
[ -f "$REPORT" ] || { echo "no report; see bench/target/crash-soak.log" >&2; exit 1; }
python3 - "$REPORT" "$TRIALS" "$ROOT/bench/target/crash-soak.log" <<'PY'
import sys, re, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().findall("testcase")
rows = {}
# The paused scenario says on the test's output when no survivor was whole.
unwhole = open(sys.argv[3], errors="replace").read().count("PAUSED-SCENARIO: no survivor whole")
for c in cases:
    name = c.get("name")
    paused = name.startswith("aSecondaryPaused")
    scenario = ("primary killed during a new member's first copy"
                if name.startswith("aPrimaryKilledDuringANewMember")
                else "restart as primary" if name.startswith("aPrimaryKilled")
                else "SYNC secondary paused, forced takeover" if paused
                else "SYNC both secondaries away, none looks whole" if name.startswith("whenThePrimary")
                else "forced takeover, old primary returns")
    # Surefire names a trial by its index: seeds 1..TRIALS of ASYNC, then of SYNC.
    m = re.search(r"\[(\d+)\]", name)
    sync_only = paused or name.startswith("whenThePrimary")  # not numbered by transfer type
    transfer = "SYNC" if sync_only else "ASYNC" if m and int(m.group(1)) <= int(sys.argv[2]) else "SYNC"
    key = (scenario, transfer)
    r = rows.setdefault(key, [0, 0, unwhole if paused else 0, 0.0])
    r[0] += 1
    r[1] += 1 if (c.find("failure") is not None or c.find("error") is not None) else 0
    r[3] += float(c.get("time", "0"))
print(f"| scenario | transfer | trials | failed | no survivor whole | s per trial |")
print(f"| --- | --- | ---: | ---: | ---: | ---: |")
for (scenario, transfer), (n, failed, unwhole, seconds) in sorted(rows.items()):
    print(f"| {scenario} | {transfer} | {n} | {failed} | {unwhole} | {seconds / max(n, 1):.1f} |")
PY
exit $status
