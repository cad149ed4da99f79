#!/usr/bin/env bash
# Installs what the JupyterHub integration test (integration/hub_*_test.go)
# needs: Debian's JupyterHub 3.0 with the classic notebook server, and
# configurable-http-proxy. Idempotent: does nothing when already installed.
set -euo pipefail

packages=(jupyterhub node-configurable-http-proxy)
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
/usr/bin/python3 -c 'import jupyterhub, notebook; print("jupyterhub", jupyterhub.__version__, "notebook", notebook.__version__)'
# Debian's proxy needs Debian's node modules even when another Node is first on PATH.
NODE_PATH=/usr/share/nodejs /usr/bin/configurable-http-proxy --version >/dev/null
