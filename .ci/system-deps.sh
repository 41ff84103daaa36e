#!/usr/bin/env bash
# Installs the system packages the tests drive for real: Chromium (browser tests),
# redis-server and PostgreSQL (scale-out tests), and the fonts WeasyPrint renders with.
# Idempotent: installs only what is missing. Needs root (CI and dev machines are).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
# The PDF is set in Liberation Sans and Serif (DejaVu stands in where they are missing).
[ -d /usr/share/fonts/truetype/liberation ] || need+=(fonts-liberation)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# Node.js checks that every page script parses (tests/test_static_scripts.py).
command -v node >/dev/null 2>&1 || need+=(nodejs)
# WeasyPrint draws PDFs with Pango.
ldconfig -p | grep libpangoft2-1.0 >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if ! command -v postgres >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  need+=(postgresql)
fi
# nginx's own binary, to check docs/examples/nginx.conf (tests/test_deploy_examples.py):
# unpacked from Debian's package, never installed as a service (its install starts one).
NGINX_DIR=/opt/lantern-ci/nginx
if ! command -v nginx >/dev/null 2>&1 && [ ! -x "$NGINX_DIR/usr/sbin/nginx" ] && [ "$(id -u)" = 0 ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq nginx >/dev/null 2>&1 || { apt-get update -qq && apt-get download -qq nginx; })
  mkdir -p "$NGINX_DIR"
  dpkg-deb -x "$tmp"/nginx_*.deb "$NGINX_DIR"
  rm -rf "$tmp"
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing system packages: ${need[*]} (run as root to install them)" >&2
    exit 0
  fi
  echo "Installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
