# Shared by the scripts in tools/: locate the repo and the Swift toolchain, say what happens.
# Sourced, not run.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
step() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
# The suites whose servers answer on the test process's cooperative threads: tools/test and
# tools/repeat-suite run them in a process of their own, after the others (see tools/test).
server_suites='IntakeServerTests|ServeCommandTests'
# Tests run at most as many at a time as the machine has cores (Swift Testing's experimental
# width). Unbounded, every test "started" at once and its time limit ran while it queued for a
# cooperative thread behind minutes of other tests' synchronous work: IndexCommandTests ran out
# their 5 minutes having run for seconds (one full run in a few, worse under load).
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-$(nproc)}"
