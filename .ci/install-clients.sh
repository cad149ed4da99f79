#!/usr/bin/env bash
# Installs what the real-client integration tests need
# (integration/jsclient_test.go, integration/proxy_test.go): Debian's
# configurable-http-proxy and classic notebook server, and the pinned Node
# packages of integration/jsclient (JupyterLab's @jupyterlab/services),
# installed from the committed lock file. Idempotent: apt-get runs only when
# a package is missing, npm ci only when node_modules is missing or older
# than the lock.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(node-configurable-http-proxy python3-notebook)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# The client needs Node 20 or later (global fetch and File) and npm; install
# Debian's only when there is no node at all, so a newer one on PATH wins.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "node $(node --version) is too old: integration/jsclient needs Node 20 or later" >&2
  exit 1
fi
/usr/bin/python3 -c 'import notebook; print("notebook", notebook.__version__)'
# Debian's proxy needs Debian's node modules even when another Node is first on PATH.
NODE_PATH=/usr/share/nodejs /usr/bin/configurable-http-proxy --version >/dev/null

# npm ci writes node_modules/.package-lock.json last: when it is newer than
# the lock, the install is complete and current (the Go test checks the same).
lock=integration/jsclient/package-lock.json
stamp=integration/jsclient/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  (cd integration/jsclient && npm ci --no-audit --no-fund)
fi
