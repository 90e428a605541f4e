#!/usr/bin/env bash
# Apache Jena's command-line tools (riot and the rest) and their dependencies as jars in .tools/jena/lib/, for the
# tests that read the dumps with Jena: `java -cp '.tools/jena/lib/*' riotcmd.riot`. Does nothing when they are there.
#
# First choice: jena-cmds 5.6.0 (the newest Jena that runs on Java 17) from Maven Central, through mvn.
# Where Maven Central cannot be reached: Debian's Jena (package libapache-jena-java, 4.5.0 on Debian 12), its jars
# and those of the packages it depends on, with one slf4j binding, plus two repairs that package needs to start.
set -euo pipefail
cd "$(dirname "$0")/.."
version=5.6.0
dir=.tools/jena
for jar in "$dir"/lib/jena-cmds*.jar; do
    [ -e "$jar" ] && exit 0          # (-e: a link into a Debian package since removed does not count)
done
mkdir -p "$dir"
rm -rf "$dir/lib.new"

from_maven() {
    command -v mvn >/dev/null || return 1
    cat > "$dir/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.lodpub</groupId>
  <artifactId>jena-tools</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.jena</groupId>
      <artifactId>jena-cmds</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
POM
    (cd "$dir" && mvn -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=lib.new \
        > mvn.log 2>&1)
}

from_debian() {
    [ -f /usr/share/java/jena-cmds.jar ] || return 1
    mkdir -p "$dir/lib.new"
    local pkgs
    pkgs=$(apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances libapache-jena-java | grep -E '^[a-z0-9.+-]+-java$' | sort -u)
    for pkg in $pkgs; do
        # Each jar once: Debian adds versioned symlinks beside the files.
        dpkg -L "$pkg" | grep -E '^/usr/share/java/[^/]+\.jar$' | while read -r jar; do
            [ -L "$jar" ] || ln -s "$jar" "$dir/lib.new/"
        done
    done
    # libslf4j-java ships every slf4j binding and bridge; two of them on one class path stop Jena at start.
    # Keep the API and the simple binding (riot's warnings and errors on stderr).
    find "$dir/lib.new" -name 'slf4j-*.jar' ! -name slf4j-api.jar ! -name slf4j-simple.jar -delete
    find "$dir/lib.new" \( -name 'log4j-over-slf4j.jar' -o -name 'jcl-over-slf4j.jar' -o -name 'jul-to-slf4j.jar' \) \
        -delete
    # Debian's jena-core moves Jena's copy of Xerces to the package `xerces` but leaves its message files under
    # org/apache/jena/ext/xerces: the datatype setup then fails ("internal error") before riot reads anything.
    # A jar of those files at the moved place repairs it.
    python3 - /usr/share/java/jena-core.jar "$dir/lib.new/jena-xerces-messages.jar" <<'PY'
import sys, zipfile
prefix = "org/apache/jena/ext/xerces/"
with zipfile.ZipFile(sys.argv[1]) as core, zipfile.ZipFile(sys.argv[2], "w") as out:
    for name in core.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            out.writestr("xerces/" + name[len(prefix):], core.read(name))
PY
}

if from_maven; then
    echo "Jena $version from Maven Central in $dir/lib"
elif rm -rf "$dir/lib.new" && from_debian; then
    echo "Maven Central not reached ($dir/mvn.log says why): Debian's Jena (libapache-jena-java) in $dir/lib"
else
    echo "Jena not installed: neither Maven Central nor Debian's libapache-jena-java (apt-get install" \
         "libapache-jena-java default-jre-headless) is to be had here" >&2
    exit 1
fi
# Filled in lib.new, then moved into place: an interrupted install leaves no half-filled lib/.
rm -rf "$dir/lib"
mv "$dir/lib.new" "$dir/lib"
