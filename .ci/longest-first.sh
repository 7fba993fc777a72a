#!/usr/bin/env bash
# longest-first.sh prints the package list on stdin with the packages whose
# tests take longest first, in the order below, then the rest as given.
# go test starts packages roughly in the order it is given them, -p at a
# time: started last, a long package runs alone at the end of its stage
# while the machine's other core idles (CI logs, December 2026: the race
# pass ended with ytdlp and ytdlp/managed, the Postgres pass with httpapi).
set -euo pipefail
m=github.com/downlink/downlink/api
longest=(
  $m/internal/httpapi $m/internal/clustertest $m/internal/crashtest
  $m/cmd/downlink $m/internal/ytdlp $m/internal/downloads $m/internal/ytdlp/managed
  $m/internal/apiclient $m/internal/logs $m/internal/netguard $m/internal/webhooks
  $m/internal/auth $m/internal/proc $m/internal/apitest $m/internal/apispec
)
mapfile -t given
declare -A have=()
for p in "${given[@]}"; do have[$p]=1; done
declare -A printed=()
for p in "${longest[@]}"; do
  if [[ -n "${have[$p]:-}" ]]; then echo "$p"; printed[$p]=1; fi
done
for p in "${given[@]}"; do
  [[ -n "${printed[$p]:-}" ]] || echo "$p"
done
