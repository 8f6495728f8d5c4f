#!/usr/bin/env bash
# Installs Debian's chromium package, the browser test/graphiql-browser.test.ts drives through
# playwright-core (which downloads no browser of its own). Does nothing when /usr/bin/chromium is
# already there. The package lists are refreshed only when the install fails without them (a fresh
# container has none), so a machine whose lists are current does not fetch them again.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi

# As root (CI containers, the project's machines) apt-get runs directly; anyone else through sudo.
as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
  as_root=(sudo)
fi

install() {
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends chromium
}

echo "Installing Debian's chromium package (for the GraphiQL browser test)"
if ! install; then
  echo "Install failed; refreshing the package lists and trying once more"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  install
fi
/usr/bin/chromium --version
