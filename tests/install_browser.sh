#!/usr/bin/env bash
# The browser tests drive Debian's chromium: Playwright cannot download a browser of its own here.
# Installs it with apt-get when it is missing (through sudo when not root).
set -euo pipefail
command -v chromium >/dev/null && exit 0
as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"
$as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium >/dev/null
