#!/usr/bin/env bash
# test/rig/tgt-stop.sh DIR - stop the tgtd that test/rig/tgt-start.sh DIR started.
#
# Only the process in DIR/tgtd.pid is touched, and only when it is still the rig's tgtd
# (its command line is checked); its control port is read from that command line.
# First politely: tgtadm -C N deletes the targets (--force) and the system; then
# SIGTERM, then SIGKILL, each with a bounded wait. Safe to run when nothing is running.
set -euo pipefail

PATH="$PATH:/usr/sbin:/sbin"
TGT_WAIT="${TGT_WAIT:-10}"

die() { echo "tgt-stop: $*" >&2; exit 1; }
say() { echo "tgt-stop: $*" >&2; }

[ $# -eq 1 ] || die "usage: $0 DIR"
DIR="$1"
PIDFILE="$DIR/tgtd.pid"

rm -f "$DIR/chap.state"     # the CHAP secrets tgt-start.sh remembered, if any
[ -s "$PIDFILE" ] || exit 0
pid="$(cat "$PIDFILE")"
case "$pid" in ''|*[!0-9]*) rm -f "$PIDFILE"; die "bad pid file $PIDFILE (removed)";; esac

# The command line of $1 when it is a live (not zombie) tgtd started by a rig script.
rig_tgtd() {
  local state args
  [ -r "/proc/$1/stat" ] || return 1
  state="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ -n "$state" ] && [ "$state" != Z ] || return 1
  args="$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null)" || return 1
  case "$args" in
    "tgtd -f -C "*" --iscsi portal=127.0.0.1:"*) printf '%s\n' "$args"; return 0;;
  esac
  return 1
}

# Wait up to $1 tenths of a second for the rig's tgtd to go away.
gone_within() {
  local i=0
  while rig_tgtd "$pid" >/dev/null; do
    [ "$i" -lt "$1" ] || return 1
    sleep 0.1
    i=$((i + 1))
  done
}

if ! args="$(rig_tgtd "$pid")"; then
  rm -f "$PIDFILE"          # already gone (or the pid was reused by something else)
  exit 0
fi
ctl="$(printf '%s\n' "$args" | sed -n 's/^tgtd -f -C \([0-9][0-9]*\) .*/\1/p')"

if [ -n "$ctl" ]; then
  # The socket answers for our pid only: a second tgtd cannot take a locked control port.
  tids="$(tgtadm -C "$ctl" --lld iscsi --mode target --op show 2>/dev/null \
          | sed -n 's/^Target \([0-9][0-9]*\):.*/\1/p')" || tids=""
  for tid in $tids; do
    tgtadm -C "$ctl" --lld iscsi --mode target --op delete --force --tid "$tid" >/dev/null 2>&1 || true
  done
  tgtadm -C "$ctl" --mode system --op delete >/dev/null 2>&1 || true
fi

if ! gone_within $((TGT_WAIT * 10)); then
  say "tgtd $pid still running after tgtadm system delete; sending SIGTERM"
  kill -TERM "$pid" 2>/dev/null || true
  if ! gone_within 20; then
    say "tgtd $pid ignored SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    gone_within 50 || die "tgtd $pid survived SIGKILL"
  fi
fi
rm -f "$PIDFILE"
