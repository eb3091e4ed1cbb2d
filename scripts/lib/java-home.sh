# Sourced by scripts: points JAVA_HOME at a JDK >= 21 (the machine default may be 17).
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] || [ "$(java_major "$JAVA_HOME")" -lt 21 ]; then
  JAVA_HOME=""
  for d in /usr/lib/jvm/*; do
    if [ -x "$d/bin/java" ] && [ "$(java_major "$d")" -ge 21 ]; then JAVA_HOME="$d"; break; fi
  done
  if [ -z "$JAVA_HOME" ]; then echo "No JDK >= 21 found: set JAVA_HOME to one." >&2; exit 1; fi
fi
export JAVA_HOME
