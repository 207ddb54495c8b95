# What infra/dynamodb-local.sh and infra/moto.sh share: a local server started in the
# background by the script, its process id in $PID_FILE and its output in $LOG_FILE.
# Sourced, not run; the script defines `say`, `answers` (whether the server answers) and
# `start`.

# Wait for the server just started to answer: up to TRIES checks, PAUSE seconds apart; give
# up at once when it exits.
await_answer() { # tries pause
  for _ in $(seq 1 "$1"); do
    answers && break
    kill -0 "$(cat "$PID_FILE")" 2>/dev/null || { say "it exited; see $LOG_FILE"; tail -n 20 "$LOG_FILE" >&2; exit 1; }
    sleep "$2"
  done
}

stop() {
  if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    kill "$(cat "$PID_FILE")" && rm -f "$PID_FILE" && say "stopped"
  else
    say "not started by this script"
  fi
}

# The script's command (start by default, stop or status) for the server on ADDRESS.
serve() { # address [command]
  local address=$1
  shift
  case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) if answers; then say "answering on $address"; else say "not answering on $address"; exit 1; fi ;;
    *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
  esac
}
