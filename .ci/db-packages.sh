#!/usr/bin/env bash
# db-packages.sh lists the Go packages whose tests touch the database (they
# use storetest/apitest, or read TEST_DB themselves): the ones worth running
# a second time on Postgres. The rest do not depend on the database.
set -euo pipefail
cd "$(dirname "$0")/.."
go list -f '{{.ImportPath}} {{.Dir}}{{range .TestImports}} {{.}}{{end}}{{range .XTestImports}} {{.}}{{end}}' ./... |
while read -r pkg dir imports; do
  if [[ " $imports " == *"/store/storetest "* || " $imports " == *"/apitest "* ]] ||
     grep -qs 'TEST_DB' "$dir"/*_test.go; then
    echo "$pkg"
  fi
done
