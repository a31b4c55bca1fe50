#!/usr/bin/env bash
# Shows pino JSON log lines read from stdin: readable (pino-pretty: colours,
# local time, level names) when stdout is a terminal, the JSON lines untouched
# otherwise (a pipe or a file keeps what tools like jq read). hack/dev.sh
# follows the module's log through it (`npm run dev | cat` keeps JSON).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

pretty="$REPO_DIR/node_modules/.bin/pino-pretty"
if [[ -t 1 && -x $pretty ]]; then
  exec "$pretty" --colorize --translateTime SYS:HH:MM:ss.l --ignore pid,hostname
fi
exec cat
