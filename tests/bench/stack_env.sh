# Sourced by the benchmarks that drive the whole stack (tests/e2e/stack.sh).
# read_stack FD: reads the stack's announcements (BKK_E2E_NAME=value lines,
# then BKK_E2E_READY) from file descriptor FD into shell variables of the same
# names; fails if the stack ends before it is ready.
read_stack() {
  local line
  while read -r line <&"$1"; do
    case "$line" in
      BKK_E2E_READY) return 0 ;;
      BKK_E2E_*=*) printf -v "${line%%=*}" '%s' "${line#*=}" ;;
    esac
  done
  echo "the stack did not start" >&2
  return 1
}
