# Sourced by ./cogforge and .ci/run. Exports JAVA_HOME pointing at a JDK >= 25 or fails with a clear message.
# Order: $JAVA_HOME, the java on PATH, then the usual JVM folders.
cogforge_required_java=25

cogforge_java_major() {
  # prints the feature version of the given java binary, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n1
}

cogforge_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    c=$(readlink -f "$(command -v java)" 2>/dev/null) && candidates+=("$(dirname "$(dirname "$c")")")
  fi
  for c in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
           /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(cogforge_java_major "$c/bin/java")
    if [ -n "$major" ] && [ "$major" -ge "$cogforge_required_java" ]; then
      export JAVA_HOME="$c"
      return 0
    fi
  done
  echo "error: CogForge needs a JDK ${cogforge_required_java} or newer (javac included)." >&2
  echo "  looked at: \$JAVA_HOME (${JAVA_HOME:-unset}), the java on PATH, /usr/lib/jvm, /usr/java, /opt, ~/.sdkman, ~/.jdks, /Library/Java." >&2
  echo "  install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
