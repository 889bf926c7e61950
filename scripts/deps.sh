#!/bin/bash
# Installs the Debian 12 packages that build, test and demo autoreport need. Idempotent: when all are
# present it does nothing but say so.
#
#   scripts/deps.sh          what make test and make demo need
#   scripts/deps.sh bench    and what make bench adds: R's forecast package, the baseline of the
#                            forecasting benchmark
set -euo pipefail

PACKAGES=(
  # build
  g++ make git pkg-config postgresql-server-dev-15 libpq-dev libxlsxwriter-dev nlohmann-json3-dev libssl-dev libboost1.81-dev
  # the sidecar sends deliveries (HTTP and SMTP) with libcurl
  libcurl4-openssl-dev
  # PDF and PNG rendering: cairo and pango draw, librsvg draws the SVG charts onto cairo; DejaVu the font
  libcairo2-dev libpango1.0-dev librsvg2-dev fonts-dejavu-core
  # run and test
  postgresql-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl libgtest-dev
  # the reference what_if()'s costs are checked against (tests only; autoreport never needs it)
  postgresql-15-hypopg
  # a JDK and pgjdbc for the jdbc suite (tests only; autoreport never needs them at run time)
  default-jdk-headless libpostgresql-jdbc-java
  # lint and fuzz
  clang-format cppcheck clang-14 libclang-rt-14-dev
  # readers the render tests check files with (a real spreadsheet reader, XML parser, browser)
  python3 python3-openpyxl python3-lxml python3-websockets chromium openssl
  # the delivery tests' SMTP server
  python3-aiosmtpd
  # PDF readers the PDF tests check files with (text in order, pages drawn)
  poppler-utils
)
if [ "${1:-}" = bench ]; then
  PACKAGES+=(r-cran-forecast)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "deps: missing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: not root, so nothing was installed. Run as root (or with sudo):" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  echo "or run 'sudo make deps', then repeat this command." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: installed ${missing[*]}"
