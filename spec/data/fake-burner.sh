#!/bin/sh
# spec/data/fake-burner.sh: a burner that burns nothing, for spec/burn_spec.lua.
#
# Run it through a link named growisofs, xorriso, xorrecord, cdrskin, wodim or
# cdrecord: it prints that tool's progress lines, built from the tool's own format
# strings (see lua/cdperf/progress.lua for where each comes from), at a known pace,
# on the stream the tool uses, with "\r" where the tool redraws its line.
#
# Environment:
#   FAKE_BURNER_ARGV   file to write the arguments to, one a line
#   FAKE_BURNER_BYTES  bytes the "burn" writes (default 10485760)
#   FAKE_BURNER_STEPS  progress lines (default 10)
#   FAKE_BURNER_PACE   seconds between them (default 0.1)
#   FAKE_BURNER_EXIT   exit status (default 0)
set -u
tool=${0##*/}
bytes=${FAKE_BURNER_BYTES:-10485760}
steps=${FAKE_BURNER_STEPS:-10}
pace=${FAKE_BURNER_PACE:-0.1}
status=${FAKE_BURNER_EXIT:-0}
dev=/dev/sr0

if [ -n "${FAKE_BURNER_ARGV:-}" ]; then
  : > "$FAKE_BURNER_ARGV"
  for a in "$@"; do printf '%s\n' "$a" >> "$FAKE_BURNER_ARGV"; done
fi

echo "$tool (fake): pretending to burn $bytes bytes in $steps steps" >&2
mib=$((bytes / 1048576))
sectors=$((bytes / 2048))
k=0
case $tool in
growisofs)
  # growisofs_mmc.cpp set_speed_B6h(); growisofs.c progress_print(), builtin_dd()
  printf '%s: "Current Write Speed" is %.1fx%dKBps.\n' "$dev" 4.0 1385 >&2
  while [ $k -lt "$steps" ]; do
    sleep "$pace"; k=$((k + 1))
    cur=$((bytes * k / steps)); left=$(( (steps - k) * 3 ))
    printf '%11d/%d (%4.1f%%) @%.1fx, remaining %d:%02d RBU %5.1f%% UBU %5.1f%%\n' \
      "$cur" "$bytes" "$((100 * k / steps))" 4.0 $((left / 60)) $((left % 60)) 99.5 100.0
  done
  printf 'builtin_dd: %d*2KB out @ average %.1fx%dKBps\n' "$sectors" 3.9 1385
  printf '%s: flushing cache\n' "$dev" >&2
  printf '%s: closing track\n' "$dev" >&2
  printf '%s: closing session\n' "$dev" >&2
  ;;
xorriso)
  # write_run.c Xorriso_pacifier_loop(), xorriso style; text_io.c Xorriso_msgs_submit()
  echo "xorriso 1.5.4 : RockRidge filesystem manipulator, libburnia project." >&2
  while [ $k -lt "$steps" ]; do
    sleep "$pace"; k=$((k + 1))
    pct=$(printf '%5.1f' "$((100 * k / steps))")
    printf 'xorriso : UPDATE : Writing: %10ds  %s%%   fifo %3d%%  buf %3d%%  %5.1fx%s \n' \
      "$((sectors * k / steps))" "$pct" 100 50 4.0 D >&2
  done
  printf 'xorriso : UPDATE : Closing track/session. Working since %.f seconds\n' 3 >&2
  printf "Writing to '%s' completed successfully.\n\n" "$dev" >&2
  ;;
xorrecord)
  # the same loop, cdrecord style
  while [ $k -lt "$steps" ]; do
    sleep "$pace"; k=$((k + 1))
    printf 'xorriso : UPDATE : %4d of %4d MB written (fifo %2d%%) [buf %3d%%]  %4.1fx.\n' \
      "$((mib * k / steps))" "$mib" 99 50 4.0 >&2
  done
  ;;
cdrskin)
  # cdrskin.c Cdrskin_burn_pacifier(): the line is redrawn after "\r"
  while [ $k -lt "$steps" ]; do
    sleep "$pace"; k=$((k + 1))
    mb_text=$(printf '%4d of %4d' "$((mib * k / steps))" "$mib")
    printf '\rTrack %-2.2d: %s MB written %s[buf %3d%%]  %4.1fx.' 1 "$mb_text" "$(printf '(fifo %3d%%) ' 100)" 87 4.0
  done
  printf '\nFixating...\n'
  ;;
wodim|cdrecord)
  # wodim.c / cdrecord.c write_track_data(): "\r" before each line, "." after it
  printf '\rTrack %02d:    0 of %4d MB written.' 1 "$mib"
  while [ $k -lt "$steps" ]; do
    sleep "$pace"; k=$((k + 1))
    printf '\rTrack %02d: %4d' 1 "$((mib * k / steps))"
    printf ' of %4d MB' "$mib"
    printf ' written'
    printf ' (fifo %3d%%)' 100
    printf ' [buf %3d%%]' 95
    printf ' %5.1fx' 4.0
    printf '.'
  done
  printf '\n'
  printf 'Track %02d: Total bytes read/written: %d/%d (%d sectors).\n' 1 "$bytes" "$bytes" "$sectors"
  printf 'Fixating...\n'
  printf 'Average write speed %5.1fx.\n' 3.9
  ;;
*)
  echo "fake-burner.sh: run me as growisofs, xorriso, xorrecord, cdrskin, wodim or cdrecord" >&2
  exit 2
  ;;
esac
echo "$tool (fake): done" >&2
exit "$status"
