#!/bin/sh
# make demo, from a fresh clone: it builds what it needs, runs the whole
# pipeline against the emulator, shows the results, and leaves nothing
# running and nothing behind.
. "${0%/*}/lib.sh"

command -v git > /dev/null || skip_all "git is not installed"
git -C "$TOP" rev-parse --git-dir > "$T/gitdir" 2>&1 ||
    skip_all "$TOP is not a git checkout: $(cat "$T/gitdir")"
git clone -q "$TOP" "$T/clone" > "$T/clone.log" 2>&1 ||
    skip_all "git clone failed: $(cat "$T/clone.log")"
for f in examples/demo.sh examples/users.json examples/export.ndjson \
    tests/emulator/a0-emulator tools/a0-import.sh tools/a0-submit.c \
    tools/a0-validate.c tools/a0-chunk.c tools/a0-template.c; do
	[ -f "$T/clone/$f" ] ||
	    skip_all "the clone lacks $f: not committed yet"
	if grep -q 'placeholder until written\|not built yet' "$T/clone/$f"; then
		skip_all "the clone's $f is a placeholder: not committed yet"
	fi
done

mkdir "$T/tmp"
start=$(date +%s)
check "make demo in a fresh clone" 0 '' - '' \
    env TMPDIR="$T/tmp" make -s -C "$T/clone" demo
mv "$T/out" "$T/demo.out"
mv "$T/err" "$T/demo.err"
echo "# make demo took $(($(date +%s) - start)) s, build included"

# has ERE: the demo's output shows ERE.
has() { grep -Eq -- "$1" "$T/demo.out"; }
ok "it starts the emulator on a loopback port" \
    has 'listens on http://127\.0\.0\.1:[0-9]+'
ok "it imports a few thousand users by hand, in several jobs" \
    has '"file":"chunks/chunk-000002\.json".*"status":"completed"'
ok "it shows the invalid record" \
    has 'record 11: /custom_password_hash/hash/encoding: ENUM_MISMATCH'
ok "it shows the duplicate" has 'record 12: /email: DUPLICATED_USER'
ok "it shows the rejects" has '"email": "kofi\.mensah@example\.org"'
ok "it shows a0-import's job result" \
    has "Job 'job_[A-Za-z0-9]+' completed: 10 inserted, 0 updated, 1 failed"
ok "it shows why the user failed" \
    has 'Failed: user000042@example\.com: DUPLICATED_USER'
ok "it shows a summary" has 'The tenant now holds [0-9]+ users'
ok "no emulator is left running" \
    sh -c '! ps -eo args | grep -F "$1" | grep -v grep' sh \
    "$T/clone/tests/emulator"
ok "nothing is left in TMPDIR" [ -z "$(ls -A "$T/tmp")" ]
ok "the emulator's URL is read once it is there" \
    sh -c '! grep -q "can.t read" "$1"' sh "$T/demo.err"

# Stopped early, the demo still stops its emulator and removes its
# directory: a reader that goes away, SIGINT, SIGTERM.
# none_left WHAT: no emulator of the clone runs, TMPDIR is empty.
none_left() {
	n_i=0
	while ps -eo args | grep -F "$T/clone/tests/emulator" | grep -qv grep &&
	    [ $n_i -lt 100 ]; do
		sleep 0.05
		n_i=$((n_i + 1))
	done
	ok "$1: no emulator is left running" \
	    sh -c '! ps -eo args | grep -F "$1" | grep -v grep' sh \
	    "$T/clone/tests/emulator"
	ok "$1: nothing is left in TMPDIR" [ -z "$(ls -A "$T/tmp")" ]
}
env TMPDIR="$T/tmp" make -s -C "$T/clone" demo 2> "$T/pipe.err" | head -3 \
    > "$T/head.out"
ok "make demo | head -3" grep -q 'listens on' "$T/head.out"
none_left "make demo | head"
# A shell started in the background ignores SIGINT: start it with the
# default action, as from a terminal.
for sw in INT:130 TERM:143; do
	sig=${sw%:*} want=${sw#*:}
	: > "$T/sig.out"
	TMPDIR="$T/tmp" "$PYTHON" -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp("sh", ["sh", sys.argv[1]])' "$T/clone/examples/demo.sh" \
	    > "$T/sig.out" 2>&1 &
	d_pid=$!
	d_i=0
	until grep -q 'a0-submit -c' "$T/sig.out" || [ $d_i -gt 200 ]; do
		sleep 0.05
		d_i=$((d_i + 1))
	done
	kill -"$sig" "$d_pid"
	wait "$d_pid"
	d_rc=$?
	ok "SIG$sig: the demo ends with status $want" [ "$d_rc" -eq "$want" ]
	none_left "SIG$sig"
done

done_testing
