#!/bin/sh
# sdk-check.sh URL: runs sdk-check.js with the official Node SDK (npm auth0
# v7) against the emulator at URL.  The package is installed once into a
# cache outside the tree.  Prints "SKIP reason" and exits 0 when node, npm or
# the package cannot be had (no registry); otherwise exits as the check does.
set -u
here=$(cd "${0%/*}" && pwd)
cache=${A0_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/a0-test-node}

command -v node >/dev/null || { echo "SKIP node not installed"; exit 0; }
command -v npm >/dev/null || { echo "SKIP npm not installed"; exit 0; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || { echo "SKIP node $major is older than 18"; exit 0; }

if ! [ -f "$cache/node_modules/auth0/package.json" ] ||
    ! grep -q '"version": *"7\.' "$cache/node_modules/auth0/package.json"; then
	mkdir -p "$cache" || { echo "SKIP cannot create $cache"; exit 0; }
	[ -f "$cache/package.json" ] || echo '{"private":true}' > "$cache/package.json"
	if ! (cd "$cache" && timeout 120 npm install --no-audit --no-fund \
	    --loglevel=error auth0@7 > npm.log 2>&1); then
		echo "SKIP npm install auth0@7 failed (offline?): $(tail -1 "$cache/npm.log")"
		exit 0
	fi
fi
NODE_PATH=$cache/node_modules exec node "$here/sdk-check.js" "$1"
