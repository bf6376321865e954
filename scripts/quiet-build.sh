#!/bin/sh
# Builds one workspace package and what it depends on (a turbo cache hit when
# nothing changed) without printing anything unless the build fails, so that
# `pnpm --silent webrun-env …` and `pnpm start` keep their output clean.
set -u
log=$(mktemp)
if pnpm exec turbo run build --filter="$1..." --output-logs=errors-only >"$log" 2>&1; then
  rm -f "$log"
else
  cat "$log" >&2
  rm -f "$log"
  echo "build of $1 failed; see above" >&2
  exit 2
fi
