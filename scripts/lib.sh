# Shared by the project's scripts: where things are, and how to run PostgreSQL as an unprivileged user.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-pg_config}
PG_BIN=$("$PG_CONFIG" --bindir)
PGXS_DIR=$(cd "$(dirname "$("$PG_CONFIG" --pgxs)")/../.." && pwd)

# PostgreSQL refuses to run as root. When we are root, every server-side step runs as this user.
PG_OS_USER=${AUTOREPORT_PG_USER:-postgres}

say() { if [ -t 1 ]; then printf '\033[1m==> %s\033[0m\n' "$*"; else printf '==> %s\n' "$*"; fi; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as the unprivileged PostgreSQL user (or as ourselves when we are not root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

# A folder the PostgreSQL user owns and may write, created if missing.
pg_owned_dir() {
  mkdir -p "$1"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$PG_OS_USER": "$1"
  fi
}

# When run as root from a checkout under a private folder (/root, say), the PostgreSQL user cannot
# reach the checkout. Grant it passage (the x bit only, no listing) on each parent folder that lacks it.
ensure_pg_can_reach_checkout() {
  [ "$(id -u)" -eq 0 ] || return 0
  id "$PG_OS_USER" >/dev/null 2>&1 || die "user $PG_OS_USER does not exist; run 'make deps' first"
  if as_pg test -r "$ROOT/Makefile"; then
    return 0
  fi
  local dir=$ROOT
  while [ "$dir" != "/" ]; do
    if [ $(( 0$(stat -c %a "$dir") & 1 )) -eq 0 ]; then
      say "giving $PG_OS_USER passage through $dir (chmod o+x) so the server can read the checkout"
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
  as_pg test -r "$ROOT/Makefile" || die "$PG_OS_USER cannot read $ROOT even after chmod o+x of its parents"
}

# A signed HS256 JSON Web Token whose role claim is $1, made with secret $2, valid for $3 seconds (what
# a web application's login would hand to the sidecar's clients).
hs256_token() {
  local header payload sig
  header=$(printf '{"alg":"HS256","typ":"JWT"}' | base64url)
  payload=$(printf '{"role":"%s","exp":%d}' "$1" $(($(date +%s) + $3)) | base64url)
  sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$2" -binary | base64url)
  echo "$header.$payload.$sig"
}
base64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# A TCP port free on 127.0.0.1 right now.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
