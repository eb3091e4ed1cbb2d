# Sourced by scripts/run-demo.sh and .ci/run. Defines find_jdk21, which prints the home of a JDK 21
# or newer (JAVA_HOME if it is one, else the first under /usr/lib/jvm, else the `java` on PATH) or
# explains on stderr and returns 1. The system `java` may well be 17.

# The feature version of the JDK at $1 (e.g. 17, 21, 25), or nothing.
jdk_major() {
    local home=$1 version=""
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
    if [ -f "$home/release" ]; then
        version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    fi
    if [ -z "$version" ]; then
        version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    version=${version#1.}
    echo "${version%%[.+-]*}"
}

find_jdk21() {
    local candidate major path_java=""
    if command -v java >/dev/null 2>&1; then
        path_java=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    fi
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* "$path_java"; do
        [ -n "$candidate" ] && [ -d "$candidate" ] || continue
        major=$(jdk_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: no JDK 21 or newer found (looked at JAVA_HOME='${JAVA_HOME:-}', /usr/lib/jvm/*, and the java on PATH)." >&2
    echo "       Install one (e.g. Temurin 21) and set JAVA_HOME to it." >&2
    return 1
}
