#!/usr/bin/env bash
# test/rig/tgt-start.sh DIR - start a private tgtd for cdperf's integration tests.
#
# tgtd listens on 127.0.0.1:${TGT_PORT:-3260} only, with its management socket
# /var/run/tgtd/socket.${TGT_CONTROL_PORT:-0} (tgtadm -C N), so two rigs can run at
# once when both ports differ. Target tid 1 ${TGT_IQN:-iqn.2026-11.org.cdperf:rig}:
#   LUN 1  cd device backed by DIR/dvdrom.iso (16 MiB, non-empty: tgt calls it a DVD-ROM)
#   LUN 2  cd device backed by DIR/blank.iso  (empty: tgt calls it a blank DVD+R)
# bound to ALL initiators. Writes DIR/tgtd.pid and DIR/tgtd.log; prints the iqn on
# stdout (and nothing else). Running it again while the rig is up changes nothing.
# Stop with test/rig/tgt-stop.sh DIR.
#
# CHAP (optional): with TGT_CHAP_USER and TGT_CHAP_PASSWORD set, target 1 accepts only
# that initiator account; TGT_CHAP_TARGET_USER and TGT_CHAP_TARGET_PASSWORD add the
# account the target answers with (mutual CHAP). tgt takes the secrets on tgtadm's
# command line (a test rig only); DIR/chap.state (mode 600) remembers them, so a
# second start with other credentials recreates the target.
set -euo pipefail

PATH="$PATH:/usr/sbin:/sbin"
TGT_PORT="${TGT_PORT:-3260}"
TGT_CONTROL_PORT="${TGT_CONTROL_PORT:-0}"
TGT_IQN="${TGT_IQN:-iqn.2026-11.org.cdperf:rig}"
TGT_WAIT="${TGT_WAIT:-10}"          # seconds to wait for tgtd to answer
TGT_CHAP_USER="${TGT_CHAP_USER:-}"
TGT_CHAP_PASSWORD="${TGT_CHAP_PASSWORD:-}"
TGT_CHAP_TARGET_USER="${TGT_CHAP_TARGET_USER:-}"
TGT_CHAP_TARGET_PASSWORD="${TGT_CHAP_TARGET_PASSWORD:-}"

die() { echo "tgt-start: $*" >&2; exit 1; }
say() { echo "tgt-start: $*" >&2; }

[ $# -eq 1 ] || die "usage: $0 DIR"
if [ -n "$TGT_CHAP_USER" ] || [ -n "$TGT_CHAP_PASSWORD" ]; then
  [ -n "$TGT_CHAP_USER" ] && [ -n "$TGT_CHAP_PASSWORD" ] \
    || die "TGT_CHAP_USER and TGT_CHAP_PASSWORD go together"
fi
if [ -n "$TGT_CHAP_TARGET_USER" ] || [ -n "$TGT_CHAP_TARGET_PASSWORD" ]; then
  [ -n "$TGT_CHAP_TARGET_USER" ] && [ -n "$TGT_CHAP_TARGET_PASSWORD" ] \
    || die "TGT_CHAP_TARGET_USER and TGT_CHAP_TARGET_PASSWORD go together"
  [ -n "$TGT_CHAP_USER" ] || die "mutual CHAP (TGT_CHAP_TARGET_USER) needs TGT_CHAP_USER too"
fi
case "$TGT_PORT" in ''|*[!0-9]*) die "TGT_PORT must be a number, got '$TGT_PORT'";; esac
case "$TGT_CONTROL_PORT" in ''|*[!0-9]*) die "TGT_CONTROL_PORT must be a number, got '$TGT_CONTROL_PORT'";; esac
mkdir -p "$1"
DIR="$(cd "$1" && pwd)"
PIDFILE="$DIR/tgtd.pid"
LOG="$DIR/tgtd.log"

if ! command -v tgtd >/dev/null 2>&1 || ! command -v tgtadm >/dev/null 2>&1; then
  say "tgtd not found, installing the Debian package tgt"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tgt >&2 \
    || die "could not install tgt (apt-get install tgt)"
  command -v tgtd >/dev/null 2>&1 || die "tgt installed but tgtd is not on PATH"
fi

adm() { tgtadm -C "$TGT_CONTROL_PORT" "$@"; }

# The command line of $1 when it is a live (not zombie) tgtd started by a rig script.
rig_tgtd() {
  local pid="$1" state args
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ -n "$state" ] && [ "$state" != Z ] || return 1
  args="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" || return 1
  case "$args" in
    "tgtd -f -C "*" --iscsi portal=127.0.0.1:"*) printf '%s\n' "$args"; return 0;;
  esac
  return 1
}
# Is $1 the rig's tgtd with our two ports?
ours() {
  [ "$(rig_tgtd "$1")" = "tgtd -f -C $TGT_CONTROL_PORT --iscsi portal=127.0.0.1:$TGT_PORT " ]
}

pid=""
[ -s "$PIDFILE" ] && pid="$(cat "$PIDFILE")"

CHAP_STATE="$DIR/chap.state"
chap_state() {
  printf '%s\n' "$TGT_CHAP_USER" "$TGT_CHAP_PASSWORD" "$TGT_CHAP_TARGET_USER" "$TGT_CHAP_TARGET_PASSWORD"
}
# The accounts target 1 should list, as tgtadm shows them, one a line.
want_accounts() {
  [ -z "$TGT_CHAP_USER" ] || printf '%s\n' "$TGT_CHAP_USER"
  [ -z "$TGT_CHAP_TARGET_USER" ] || printf '%s (outgoing)\n' "$TGT_CHAP_TARGET_USER"
}

# The rig is complete when target 1 has our iqn, both LUNs, the ALL ACL and the CHAP
# accounts asked for (none, when none is).
complete() {
  local show accounts
  show="$(adm --lld iscsi --mode target --op show 2>/dev/null)" || return 1
  printf '%s\n' "$show" | awk -v iqn="$TGT_IQN" '
    /^Target [0-9]+:/ { in1 = ($0 == "Target 1: " iqn) }
    in1 && /^ +LUN: 1$/ { l1 = 1 }
    in1 && /^ +LUN: 2$/ { l2 = 1 }
    in1 && /^ +ALL$/    { all = 1 }
    END { exit !(l1 && l2 && all) }' || return 1
  accounts="$(printf '%s\n' "$show" | awk -v iqn="$TGT_IQN" '
    /^Target [0-9]+:/ { in1 = ($0 == "Target 1: " iqn) }
    in1 && /^ +Account information:$/ { acc = 1; next }
    in1 && /^ +ACL information:$/     { acc = 0 }
    in1 && acc { sub(/^ +/, ""); print }')"
  [ "$accounts" = "$(want_accounts)" ] || return 1
  # tgtadm never shows a secret: the state file says which ones were set
  [ -z "$TGT_CHAP_USER" ] || [ "$(cat "$CHAP_STATE" 2>/dev/null)" = "$(chap_state)" ]
}

portals_ok() {
  local p
  p="$(adm --lld iscsi --mode portal --op show 2>/dev/null)" || return 1
  [ "$p" = "Portal: 127.0.0.1:$TGT_PORT,1" ]
}

if [ -n "$pid" ] && rig_tgtd "$pid" >/dev/null && ! ours "$pid"; then
  die "$DIR already has a rig (tgtd $pid: $(rig_tgtd "$pid")) on other ports; stop it first with tgt-stop.sh"
fi

if ours "$pid"; then
  if complete && portals_ok; then
    echo "$TGT_IQN"
    exit 0
  fi
  say "tgtd $pid is running but target 1 is incomplete or set up otherwise; recreating it"
else
  # Nobody of ours is there: the control socket must be free, never reuse another tgtd.
  if adm --mode system --op show >/dev/null 2>&1; then
    die "another tgtd already answers on control port $TGT_CONTROL_PORT (/var/run/tgtd/socket.$TGT_CONTROL_PORT); choose another TGT_CONTROL_PORT"
  fi
  rm -f "$PIDFILE"
  : > "$LOG"
  tgtd -f -C "$TGT_CONTROL_PORT" --iscsi "portal=127.0.0.1:$TGT_PORT" </dev/null >>"$LOG" 2>&1 &
  pid=$!
  echo "$pid" > "$PIDFILE"
  deadline=$(( $(date +%s) + TGT_WAIT ))
  until adm --mode system --op show >/dev/null 2>&1 && ours "$pid"; do
    if ! ours "$pid"; then
      wait "$pid" 2>/dev/null || true
      rm -f "$PIDFILE"
      die "tgtd exited during start-up; $LOG says: $(tail -n 5 "$LOG" | tr '\n' ' ')"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$PIDFILE"
      die "tgtd did not answer on control port $TGT_CONTROL_PORT within ${TGT_WAIT}s (see $LOG)"
    fi
    sleep 0.1
  done
  # When 127.0.0.1:PORT is taken, tgtd does not exit: it falls back to 0.0.0.0:3260
  # and [::]:3260. Refuse to run like that.
  if ! portals_ok; then
    msg="$(grep -m1 'portal' "$LOG" || true)"
    TGT_PORT="$TGT_PORT" TGT_CONTROL_PORT="$TGT_CONTROL_PORT" "$(dirname "$0")/tgt-stop.sh" "$DIR" >&2 || true
    die "tgtd could not listen on 127.0.0.1:$TGT_PORT only (${msg:-see $LOG}); choose another TGT_PORT"
  fi
fi

# Backing stores: a non-empty file is a DVD-ROM, an empty one a blank DVD+R.
iso="$DIR/dvdrom.iso"
if [ ! -f "$iso" ] || [ "$(stat -c %s "$iso")" -ne 16777216 ]; then
  rm -f "$iso"
  truncate -s 16M "$iso"
fi
blank="$DIR/blank.iso"
if [ ! -f "$blank" ] || [ -s "$blank" ]; then
  : > "$blank"
fi

if adm --lld iscsi --mode target --op show 2>/dev/null | grep -q '^Target 1:'; then
  adm --lld iscsi --mode target --op delete --force --tid 1 >&2
fi
adm --lld iscsi --mode target --op new --tid 1 --targetname "$TGT_IQN" >&2
adm --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 --device-type cd --backing-store "$iso" >&2
adm --lld iscsi --mode logicalunit --op new --tid 1 --lun 2 --device-type cd --backing-store "$blank" >&2
adm --lld iscsi --mode target --op bind --tid 1 -I ALL >&2
# Accounts are tgtd-wide: drop ours before making them again with the secrets asked for.
for u in "$TGT_CHAP_USER" "$TGT_CHAP_TARGET_USER"; do
  [ -z "$u" ] || adm --lld iscsi --mode account --op delete --user "$u" >/dev/null 2>&1 || true
done
rm -f "$CHAP_STATE"
if [ -n "$TGT_CHAP_USER" ]; then
  adm --lld iscsi --mode account --op new --user "$TGT_CHAP_USER" --password "$TGT_CHAP_PASSWORD" >&2
  adm --lld iscsi --mode account --op bind --tid 1 --user "$TGT_CHAP_USER" >&2
  if [ -n "$TGT_CHAP_TARGET_USER" ]; then
    adm --lld iscsi --mode account --op new --user "$TGT_CHAP_TARGET_USER" \
      --password "$TGT_CHAP_TARGET_PASSWORD" >&2
    adm --lld iscsi --mode account --op bind --tid 1 --user "$TGT_CHAP_TARGET_USER" --outgoing >&2
  fi
  (umask 077 && chap_state > "$CHAP_STATE")
fi
complete || die "target 1 was not set up as expected (tgtadm -C $TGT_CONTROL_PORT --lld iscsi --mode target --op show)"
say "tgtd $pid on 127.0.0.1:$TGT_PORT, control port $TGT_CONTROL_PORT, log $LOG"
echo "$TGT_IQN"
