#!/usr/bin/env bash
# install-deps.sh installs what Downlink needs on Debian (bookworm) and checks
# the versions: a current yt-dlp (from Debian's sid suite, pinned low and
# installed alone), ffmpeg, the PostgreSQL server binaries (throwaway test
# clusters), Chromium (browser tests) and Node.js (the UI build).
#
# Idempotent: run it as often as you like. Needs root on Debian; elsewhere it
# prints what to install and exits 1.
#
#   deploy/install-deps.sh            # runtime + build + test dependencies
#   deploy/install-deps.sh --runtime  # yt-dlp and ffmpeg only (containers)
set -euo pipefail

MIN_YTDLP=2024.05.26
SAFE_YTDLP=2026.07.04
MIN_NODE_MAJOR=20
MIN_GO=1.26

runtime_only=false
[ "${1:-}" = "--runtime" ] && runtime_only=true

say() { printf '==> %s\n' "$*"; }
die() { printf 'install-deps: %s\n' "$*" >&2; exit 1; }

version_ge() { # version_ge A B: A >= B (dotted numeric)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

need_list() {
  local missing=()
  command -v yt-dlp >/dev/null || missing+=("yt-dlp >= $MIN_YTDLP")
  command -v ffmpeg >/dev/null || missing+=("ffmpeg (with ffprobe)")
  if ! $runtime_only; then
    command -v go >/dev/null || missing+=("go >= $MIN_GO")
    command -v node >/dev/null || missing+=("node >= $MIN_NODE_MAJOR and npm")
    command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || missing+=("chromium (browser tests)")
    pg_bin >/dev/null || missing+=("PostgreSQL server binaries (initdb, pg_ctl)")
  fi
  printf '%s\n' "${missing[@]}"
}

pg_bin() { # prints the folder holding initdb, if any
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

is_debian() { [ -r /etc/debian_version ] && command -v apt-get >/dev/null; }

add_sid_pinned() {
  # The sid suite, same mirror and keyring as bookworm, pinned at 50 so that
  # nothing comes from it unless asked for by name (yt-dlp/sid).
  local src=/etc/apt/sources.list.d/downlink-sid.sources
  local pref=/etc/apt/preferences.d/downlink-sid
  local mirror keyring
  mirror=$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1)
  [ -n "$mirror" ] || mirror=$(grep -hoE '^deb +(\[[^]]*\] +)?http\S+' /etc/apt/sources.list 2>/dev/null | awk '{print $NF}' | grep -v security | head -n1)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  if [ ! -f "$src" ]; then
    say "adding Debian sid ($mirror) pinned at priority 50"
    cat >"$src" <<SRC
Types: deb
URIs: $mirror
Suites: sid
Components: main
Signed-By: $keyring
SRC
  fi
  if [ ! -f "$pref" ]; then
    cat >"$pref" <<PREF
# Downlink: take only what is asked for by name (yt-dlp/sid) from sid.
Package: *
Pin: release n=sid
Pin-Priority: 50
PREF
  fi
}

ytdlp_version() { yt-dlp --version 2>/dev/null | head -n1; }

install_debian() {
  export DEBIAN_FRONTEND=noninteractive
  local pkgs=(ffmpeg ca-certificates)
  $runtime_only || pkgs+=(chromium postgresql curl git make gcc)
  local want=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || want+=("$p")
  done
  local v; v=$(ytdlp_version || true)
  local need_ytdlp=true
  [ -n "$v" ] && version_ge "$v" "$SAFE_YTDLP" && need_ytdlp=false
  if [ ${#want[@]} -gt 0 ] || $need_ytdlp; then
    $need_ytdlp && add_sid_pinned
    say "apt-get update"
    apt-get update -qq
    if [ ${#want[@]} -gt 0 ]; then
      say "installing ${want[*]}"
      apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
    fi
    if $need_ytdlp; then
      say "installing yt-dlp/sid (alone)"
      # --no-install-recommends keeps sid's recommends (and their Python)
      # out; yt-dlp's hard dependencies resolve from bookworm.
      apt-get install -y -qq --no-install-recommends yt-dlp/sid >/dev/null
    fi
  fi
  # A postgres cluster the package may have created is not ours to run.
  if ! $runtime_only && ! command -v node >/dev/null; then
    say "installing nodejs and npm"
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
}

if is_debian && [ "$(id -u)" = 0 ]; then
  install_debian
elif is_debian && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  exec sudo -n "$0" "$@"
fi

missing=$(need_list)
if [ -n "$missing" ]; then
  echo "install-deps: missing on this machine; please install:" >&2
  printf '  - %s\n' $missing >&2 2>/dev/null || printf '%s\n' "$missing" >&2
  exit 1
fi

# Version checks.
v=$(ytdlp_version)
version_ge "$v" "$MIN_YTDLP" || die "yt-dlp $v is older than $MIN_YTDLP (no --progress-delta)"
version_ge "$v" "$SAFE_YTDLP" || echo "install-deps: warning: yt-dlp $v predates $SAFE_YTDLP (known security fixes)" >&2
say "yt-dlp $v ($(command -v yt-dlp))"
say "$(ffmpeg -hide_banner -version | head -n1)"
command -v ffprobe >/dev/null || die "ffprobe missing (comes with ffmpeg)"
if ! $runtime_only; then
  gv=$(go env GOVERSION | sed 's/^go//')
  version_ge "$gv" "$MIN_GO" || die "go $gv is older than $MIN_GO"
  say "go $gv"
  nv=$(node -v | sed 's/^v//')
  [ "${nv%%.*}" -ge "$MIN_NODE_MAJOR" ] || die "node $nv is older than $MIN_NODE_MAJOR"
  say "node $nv, npm $(npm -v)"
  say "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: unknown version')"
  say "postgres binaries in $(pg_bin)"
fi
