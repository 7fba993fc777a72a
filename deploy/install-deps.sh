#!/usr/bin/env bash
# install-deps.sh installs what Downlink needs on Debian (bookworm) and checks
# the versions: a current yt-dlp (from Debian's sid suite, pinned low and
# installed alone), Deno (the JavaScript runtime yt-dlp's YouTube challenge
# solver needs; Deno's official Linux build from the npm registry, pinned and
# checksummed, with its module cache warmed for the installed yt-dlp),
# ffmpeg, the PostgreSQL server binaries (throwaway test clusters), Chromium
# (browser tests) and Node.js (the UI build).
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
# Deno: yt-dlp 2026.x accepts >= 2.3. The build is npm's @deno/linux-*-glibc
# package (Deno's own release binary), fetched from the npm registry and
# checked against these SHA-512 sums of the package tarballs.
MIN_DENO=2.3.0
DENO_VERSION=2.9.6
DENO_SHA512_X64=de67784ca2c2bb3b0b0e67cea02e4a37b34065ac525643209bae2f83a7e80f4d090400c2a584b6ff942a5dfce09cfe59433de22cff6f05026d120735d7a380a1
DENO_SHA512_ARM64=a68aa1a07f41de7625a2280430f4f9b7c1d8fb005e8ae79ad409f943b7ea809ccfd126265aca12fe852758efe9122038a1fcc8072d4496dfe29f9f312adc44a1
NPM_REGISTRY=${NPM_REGISTRY:-https://registry.npmjs.org}
# Where Deno and its warm module cache live (Downlink looks here first).
DENO_HOME=${DOWNLINK_DENO_HOME:-/usr/local/lib/downlink/deno}

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
  [ -x "$DENO_HOME/deno" ] || command -v deno >/dev/null || missing+=("deno >= $MIN_DENO (yt-dlp's YouTube challenge solver)")
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

deno_version() { "$1" --version 2>/dev/null | awk 'NR==1{print $2}'; }

install_deno() {
  # Deno's official Linux build, as the npm registry ships it, into
  # $DENO_HOME/<version>/ with $DENO_HOME/deno pointing at it (and
  # /usr/local/bin/deno, unless another deno is there already).
  local arch pkg sum
  case "$(uname -m)" in
    x86_64|amd64) arch=x64; sum=$DENO_SHA512_X64 ;;
    aarch64|arm64) arch=arm64; sum=$DENO_SHA512_ARM64 ;;
    *) die "no Deno build for $(uname -m); install deno >= $MIN_DENO yourself" ;;
  esac
  pkg=linux-$arch-glibc
  local dir="$DENO_HOME/$DENO_VERSION"
  if [ "$(deno_version "$dir/deno")" != "$DENO_VERSION" ]; then
    if ! command -v curl >/dev/null; then
      apt-get update -qq && apt-get install -y -qq --no-install-recommends curl ca-certificates >/dev/null
    fi
    say "installing deno $DENO_VERSION (npm @deno/$pkg)"
    local tmp; tmp=$(mktemp -d)
    curl -fsSL --retry 3 -o "$tmp/deno.tgz" "$NPM_REGISTRY/@deno/$pkg/-/$pkg-$DENO_VERSION.tgz" \
      || { rm -rf "$tmp"; die "cannot download deno from $NPM_REGISTRY"; }
    if [ "$(sha512sum "$tmp/deno.tgz" | cut -d' ' -f1)" != "$sum" ]; then
      rm -rf "$tmp"; die "deno $DENO_VERSION tarball checksum mismatch: refusing it"
    fi
    tar -xzf "$tmp/deno.tgz" -C "$tmp" package/deno
    mkdir -p "$dir"
    install -m 0755 "$tmp/package/deno" "$dir/deno.new" && mv -f "$dir/deno.new" "$dir/deno"
    rm -rf "$tmp"
  fi
  ln -sfn "$DENO_VERSION/deno" "$DENO_HOME/deno"
  if [ ! -e /usr/local/bin/deno ] || [ "$(readlink -f /usr/local/bin/deno)" = "$(readlink -f "$DENO_HOME/deno")" ] ||
     [ "$(readlink /usr/local/bin/deno)" = "$DENO_HOME/deno" ]; then
    ln -sfn "$DENO_HOME/deno" /usr/local/bin/deno
  fi
}

ytdlp_deno_lib() {
  # The installed yt-dlp's vendored Deno lib of its challenge solver (it
  # imports the npm packages the solver needs), found through the Python
  # that runs yt-dlp. Prints nothing for a standalone (bundled) yt-dlp.
  local bin py
  bin=$(command -v yt-dlp) || return 0
  py=$(head -n1 "$bin" | sed -n 's/^#! *\([^ ]*python[0-9.]*\).*/\1/p')
  [ -n "$py" ] || return 0
  "$py" - <<'PY' 2>/dev/null || true
import os, yt_dlp.extractor.youtube.jsc._builtin.vendor as v
p = os.path.join(os.path.dirname(v.__file__), "yt.solver.deno.lib.js")
if os.path.exists(p):
    print(p)
PY
}

warm_deno_cache() {
  # Fill $DENO_HOME/cache with the npm modules that the installed yt-dlp's
  # solver imports (their versions are read from its lib, never hard-coded),
  # so solving needs no network at run time (yt-dlp runs deno --cached-only).
  local lib; lib=$(ytdlp_deno_lib)
  if [ -z "$lib" ]; then
    echo "install-deps: warning: no vendored yt.solver.deno.lib.js found beside yt-dlp; the Deno module cache is not warmed" >&2
    return 0
  fi
  say "warming Deno's module cache ($(grep -o "npm:[^'\"]*" "$lib" | tr '\n' ' '))"
  mkdir -p "$DENO_HOME/cache"
  DENO_DIR="$DENO_HOME/cache" NPM_CONFIG_REGISTRY="$NPM_REGISTRY/" "$DENO_HOME/deno" cache \
    --quiet --no-config --no-lock --node-modules-dir=none "$lib" \
    || die "cannot cache the solver's npm modules (is $NPM_REGISTRY reachable?)"
  # Readable by the service user; yt-dlp only reads it (--cached-only).
  chmod -R a+rX "$DENO_HOME"
}

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
  install_deno
  warm_deno_cache
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
deno_bin="$DENO_HOME/deno"; [ -x "$deno_bin" ] || deno_bin=$(command -v deno)
dv=$(deno_version "$deno_bin")
version_ge "$dv" "$MIN_DENO" || die "deno $dv ($deno_bin) is older than $MIN_DENO: yt-dlp rejects it"
say "deno $dv ($deno_bin)$( [ -d "$DENO_HOME/cache/npm" ] && echo ", module cache $DENO_HOME/cache")"
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
