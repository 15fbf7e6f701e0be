#!/usr/bin/env bash
# Builds the Linux app-image and runs its own launcher headless with `doctor`, offline: proves the bundled runtime,
# the app jars and the libtorch natives start together without a JDK on the path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/build.sh" app-image
launcher="$here/target/dist/CogForgeStudio/bin/CogForgeStudio"
[ -x "$launcher" ] || { echo "launcher missing: $launcher" >&2; exit 1; }
out=$(env -u JAVA_HOME PATH=/usr/bin:/bin "$launcher" doctor 2>&1) || { echo "$out"; echo "app-image doctor failed" >&2; exit 1; }
echo "$out"
echo "$out" | grep -q "libtorch" || { echo "doctor did not report libtorch" >&2; exit 1; }
echo "app-image smoke test passed"
