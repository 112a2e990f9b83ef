#!/usr/bin/env bash
# The real sync servers the tests run against, on 127.0.0.1 only (see docs/sync.md, "Testing"):
#   - coldsweat (a Fever API server, from PyPI) in its own virtual environment, .venv-coldsweat: it
#     pins urllib3<2, which must not leak into newsreader's own environment. The tests start and stop
#     it themselves; this script only installs it.
#   - Debian's Tiny Tiny RSS with its own throw-away PostgreSQL cluster, served by PHP's built-in web
#     server. Test feeds are served on 127.0.0.1:80 from a folder the tests write into.
#
#   scripts/sync-servers.sh start    install what is missing, then start Tiny Tiny RSS (idempotent)
#   scripts/sync-servers.sh stop     stop what start started (by the process ids it recorded)
#   scripts/sync-servers.sh status   print the address file the tests read, or fail
#
# State lives in $NEWSREADER_SYNC_SERVERS (default /tmp/newsreader-sync-servers); the tests find the
# running Tiny Tiny RSS through $NEWSREADER_SYNC_SERVERS/ttrss.env and skip, saying so, without it.
set -euo pipefail
cd "$(dirname "$0")/.."

state="${NEWSREADER_SYNC_SERVERS:-/tmp/newsreader-sync-servers}"
pg_port="${NEWSREADER_TTRSS_PG_PORT:-55432}"
web_port="${NEWSREADER_TTRSS_PORT:-8291}"
feeds_port=80
www=/usr/share/tt-rss/www

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "sync-servers: needs root (or sudo) for: $*" >&2; return 1; fi
}

install_coldsweat() {
  if [ ! -x .venv-coldsweat/bin/flask ]; then
    python3 -m venv .venv-coldsweat
    .venv-coldsweat/bin/python -m pip install -q "coldsweat==0.10.2" 2>.venv-coldsweat/pip.log \
      || { cat .venv-coldsweat/pip.log >&2; exit 1; }
  fi
}

install_ttrss() {
  local missing=()
  for package in tt-rss dbconfig-no-thanks php-cgi php-cli php-pgsql postgresql; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    as_root apt-get update -qq
    # php-cgi is named so that apt does not pick Apache's module for tt-rss's "a PHP runtime" dependency
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_ttrss() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  mkdir -p "$state"
  chmod 755 "$state"
  if [ ! -f "$state/pg/PG_VERSION" ]; then
    rm -rf "$state/pg" "$state/sock"
    mkdir -p "$state/pg" "$state/sock"
    chown postgres: "$state/pg" "$state/sock"
    chmod 700 "$state/pg"
    as_root runuser -u postgres -- "$bin/initdb" -D "$state/pg" -A trust -U postgres -E UTF8 --no-sync >/dev/null
  fi
  if ! as_root runuser -u postgres -- "$bin/pg_ctl" -D "$state/pg" status >/dev/null 2>&1; then
    as_root runuser -u postgres -- "$bin/pg_ctl" -D "$state/pg" -l "$state/sock/postgresql.log" -w -o \
      "-p $pg_port -k $state/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
  fi
  local psql=(env PGOPTIONS=--client-min-messages=warning psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres)
  if ! "${psql[@]}" -d ttrss -c "select 1 from ttrss_users limit 1" >/dev/null 2>&1; then
    "${psql[@]}" -d postgres -c "drop database if exists ttrss" -c "create database ttrss encoding 'UTF8'" >/dev/null
    "${psql[@]}" -d ttrss -f /usr/share/tt-rss/schema/ttrss_schema_pgsql.sql >/dev/null
  fi

  # A web root of links into Debian's tt-rss, with our own config.php (Debian's reads /etc). api/ is
  # copied: PHP resolves a script's links, and api/index.php reads the config.php next to its folder.
  mkdir -p "$state/www" "$state/lock" "$state/cache"/{images,upload,export,feeds} "$state/icons" "$state/feeds"
  for entry in "$www"/*; do
    name="$(basename "$entry")"
    case "$name" in
      config.php | feed-icons) ;;
      api) rm -rf "$state/www/api"; cp -r "$entry" "$state/www/api" ;;
      *) ln -sfn "$entry" "$state/www/$name" ;;
    esac
  done
  ln -sfn "$state/icons" "$state/www/feed-icons"
  cat > "$state/www/config.php" <<EOF
<?php
	define('DB_TYPE', 'pgsql');
	define('DB_HOST', '127.0.0.1');
	define('DB_PORT', '$pg_port');
	define('DB_USER', 'postgres');
	define('DB_NAME', 'ttrss');
	define('DB_PASS', '');
	define('MYSQL_CHARSET', 'UTF8');
	define('SELF_URL_PATH', 'http://127.0.0.1:$web_port/');
	define('SINGLE_USER_MODE', false);
	define('SIMPLE_UPDATE_MODE', false);
	define('PHP_EXECUTABLE', '/usr/bin/php');
	define('LOCK_DIRECTORY', '$state/lock');
	define('CACHE_DIR', '$state/cache');
	define('ICONS_DIR', '$state/icons');
	define('ICONS_URL', 'feed-icons');
	define('AUTH_AUTO_CREATE', true);
	define('AUTH_AUTO_LOGIN', true);
	define('FORCE_ARTICLE_PURGE', 0);
	define('ENABLE_REGISTRATION', false);
	define('REG_NOTIFY_ADDRESS', 'nobody@example.invalid');
	define('REG_MAX_USERS', 10);
	define('SESSION_COOKIE_LIFETIME', 86400);
	define('SMTP_FROM_NAME', 'Tiny Tiny RSS');
	define('SMTP_FROM_ADDRESS', 'nobody@example.invalid');
	define('DIGEST_SUBJECT', '[tt-rss] digest');
	define('CHECK_FOR_UPDATES', false);
	define('ENABLE_GZIP_OUTPUT', false);
	define('PLUGINS', 'auth_internal');
	define('LOG_DESTINATION', 'sql');
	define('CONFIG_VERSION', 26);
EOF
  chown -R www-data: "$state/lock" "$state/cache" "$state/icons" 2>/dev/null || true
  chmod -R a+rwX "$state/lock" "$state/cache" "$state/icons" "$state/feeds"

  if ! running "$state/php.pid"; then
    (cd "$state/www" && PHP_CLI_SERVER_WORKERS=4 exec setsid php -S "127.0.0.1:$web_port" -t "$state/www" \
      >"$state/php.log" 2>&1) &
    echo $! >"$state/php.pid"
  fi
  # port 80 needs root; without it the tests that need tt-rss to fetch a feed skip, saying so
  if ! running "$state/feeds.pid" && [ "$(id -u)" -eq 0 ]; then
    setsid python3 -m http.server "$feeds_port" --bind 127.0.0.1 --directory "$state/feeds" \
      >"$state/feeds.log" 2>&1 &
    echo $! >"$state/feeds.pid"
  fi
  python3 - "$web_port" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/", b'{"op":"getApiLevel"}', timeout=2)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit(f"sync-servers: Tiny Tiny RSS did not answer on 127.0.0.1:{sys.argv[1]}")
PY
  cat > "$state/ttrss.env" <<EOF
TTRSS_URL=http://127.0.0.1:$web_port
TTRSS_PG=postgresql://postgres@127.0.0.1:$pg_port/ttrss
TTRSS_FEEDS_DIR=$state/feeds
TTRSS_FEEDS_URL=$(running "$state/feeds.pid" && echo "http://0.0.0.0")
EOF
  echo "sync-servers: Tiny Tiny RSS at http://127.0.0.1:$web_port (state in $state)"
}

stop_all() {
  for name in php feeds; do
    if running "$state/$name.pid"; then kill -- "-$(cat "$state/$name.pid")" 2>/dev/null || kill "$(cat "$state/$name.pid")"; fi
    rm -f "$state/$name.pid"
  done
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -n "$bin" ] && [ -f "$state/pg/PG_VERSION" ]; then
    as_root runuser -u postgres -- "$bin/pg_ctl" -D "$state/pg" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -f "$state/ttrss.env"
}

case "${1:-start}" in
  start) install_coldsweat; install_ttrss; start_ttrss ;;
  stop) stop_all ;;
  status) cat "$state/ttrss.env" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
