# Sourced by ./millrace and ./run-tests: finds a JDK whose version is at least MILLRACE_MIN_JAVA.
# Order: $JAVA_HOME if it is new enough, then the newest JDK under the usual system folders.
MILLRACE_MIN_JAVA=25

# Prints the feature version (17, 21, 25, ...) of the JDK at $1, or nothing.
millrace_jdk_version() {
  local home=$1 v=""
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9]*\).*/\1/p' "$home/release" | head -n 1)
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}

# Prints the home of a suitable JDK, or explains what to install and returns 1.
millrace_find_jdk() {
  local v best="" best_v=0 dir
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(millrace_jdk_version "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$MILLRACE_MIN_JAVA" ]; then
      echo "$JAVA_HOME"
      return 0
    fi
  fi
  for dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/*; do
    [ -d "$dir" ] || continue
    v=$(millrace_jdk_version "$dir")
    if [ -n "$v" ] && [ "$v" -ge "$MILLRACE_MIN_JAVA" ] && [ "$v" -gt "$best_v" ]; then
      best=$dir
      best_v=$v
    fi
  done
  if [ -n "$best" ]; then
    echo "$best"
    return 0
  fi
  {
    echo "millrace: error: no JDK $MILLRACE_MIN_JAVA or newer found."
    echo "  Looked at JAVA_HOME (${JAVA_HOME:-unset}) and /usr/lib/jvm, /usr/java, /opt/java."
    echo "  Install one (for example: apt-get install temurin-25-jdk, or openjdk-25-jdk) or set JAVA_HOME to it."
  } >&2
  return 1
}
