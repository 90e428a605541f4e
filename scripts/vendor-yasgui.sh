#!/usr/bin/env bash
# Refresh the vendored query editor: YASGUI's built bundle (YASQE, the editor, and YASR, the result views) from
# the npm registry, into src/lodpub/web/static/vendor/yasgui/ with its version and its licenses beside it.
#
#   scripts/vendor-yasgui.sh            # the latest release of @zazuko/yasgui
#   scripts/vendor-yasgui.sh 4.6.2      # a given release
#
# Only the built files are kept (no node_modules, no source maps). The bundle includes its dependencies, so
# LICENSE holds the license of every package npm installed with it.
set -euo pipefail

PACKAGE=@zazuko/yasgui
VERSION="${1:-$(npm view "$PACKAGE" version)}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/src/lodpub/web/static/vendor/yasgui"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --omit=dev "$PACKAGE@$VERSION" >/dev/null
BUILD="node_modules/$PACKAGE/build"

rm -rf "$DEST.new"
mkdir -p "$DEST.new"
# The source map is not shipped, so the comment that names it goes too.
sed '/^\/\/# sourceMappingURL=/d' "$BUILD/yasgui.min.js" > "$DEST.new/yasgui.min.js"
sed 's#/\*\# sourceMappingURL=[^*]*\*/##' "$BUILD/yasgui.min.css" > "$DEST.new/yasgui.min.css"
echo "$PACKAGE@$VERSION" > "$DEST.new/VERSION"

node - "$PACKAGE" "$VERSION" > "$DEST.new/LICENSE" <<'JS'
// One file with every bundled package's license: the package's declared license and its license text.
const fs = require("fs"), path = require("path");
const [pkg, version] = process.argv.slice(2);
const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following
conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions
of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED
TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL
THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
DEALINGS IN THE SOFTWARE.`;
const dirs = [];
for (const name of fs.readdirSync("node_modules")) {
  if (name.startsWith(".")) continue;
  if (name.startsWith("@")) {
    for (const sub of fs.readdirSync(path.join("node_modules", name))) dirs.push(path.join("node_modules", name, sub));
  } else dirs.push(path.join("node_modules", name));
}
const out = [`${pkg} ${version}, as published on the npm registry, and the packages npm installs with it, which`,
             `its publisher bundled into yasgui.min.js and yasgui.min.css (the bundle may hold other patch versions`,
             `of them). Each package's declared license, then its license text.`, ""];
for (const dir of dirs.sort()) {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  if (meta.name.startsWith("@types/")) continue;   // type declarations: not in the bundle
  const license = typeof meta.license === "string" ? meta.license : JSON.stringify(meta.license || meta.licenses);
  out.push("=".repeat(100), `${meta.name} ${meta.version}: ${license}`, "=".repeat(100));
  const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
  if (file) out.push(fs.readFileSync(path.join(dir, file), "utf8").trim());
  else if (license === "MIT") {
    const author = typeof meta.author === "string" ? meta.author : (meta.author && meta.author.name) || "its authors";
    out.push(`The package ships no license file; it declares the MIT License. Copyright (c) ${author}` +
             (meta.contributors ? " and contributors" : "") + ".", "", MIT);
  } else out.push(`The package ships no license file; it declares ${license}.`);
  out.push("");
}
process.stdout.write(out.join("\n"));
JS

rm -rf "$DEST"
mv "$DEST.new" "$DEST"
echo "vendored $PACKAGE@$VERSION into ${DEST#"$ROOT"/}"
ls -l "$DEST"
