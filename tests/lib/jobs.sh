# Background jobs for the integration harnesses: each runs in its own
# session, so stopping it stops everything it started (ip netns exec,
# bash -c, the tool itself). Source this file; call stop_jobs at the end
# and from the EXIT trap.
PIDS=()

bg_job() {
  setsid "$@" &
  PIDS+=($!)
}

stop_jobs() {
  for p in "${PIDS[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -9 -- "-$p" 2>/dev/null || true; done
  PIDS=()
}
