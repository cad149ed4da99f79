#!/usr/bin/env bash
# Installs what the browser tests (integration/browser_test.go) need:
# Debian's Chromium, configurable-http-proxy and classic notebook server,
# and the locked npm packages of integration/browser. Idempotent: apt-get
# runs only for missing packages, npm ci only when node_modules was not
# installed from the current package-lock.json (the test checks the same
# stamp, so it does not install twice).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium node-configurable-http-proxy python3-notebook)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null  # its wrapper script prints a harmless shell warning
/usr/bin/python3 -c 'import notebook; print("notebook", notebook.__version__)'
# Debian's proxy needs Debian's node modules even when another Node is first on PATH.
NODE_PATH=/usr/share/nodejs /usr/bin/configurable-http-proxy --version >/dev/null

dir=integration/browser
sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
stamp="$dir/node_modules/.jupyters3-lock-sha256"
if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund)
  printf '%s' "$sum" > "$stamp"
fi
