#!/bin/sh
# 0620-submit-stops: no chunk posted twice and no file left unreadable,
# whatever stops a run: two runs on one journal, a signal during a post,
# a rejects or results file torn by an earlier stop, a job the tenant no
# longer knows; and paths on stdin that are too long or repeated.
. "${0%/*}/lib.sh"

command -v curl > /dev/null || skip_all "curl is not installed"
command -v jq > /dev/null || skip_all "jq is not installed"

C=Username-Password-Authentication
CON=con_A0EmulatorDb0001
POSTS='POST /api/v2/jobs/users-imports'

# imported PREFIX COUNT: the emulator holds exactly PREFIX-0..COUNT-1.
imported() {
	emu_emails | grep "^$1-" > "$T/imported.got"
	want_emails "$1" 0 $(($2 - 1)) > "$T/imported.want"
	cmp -s "$T/imported.want" "$T/imported.got" && return 0
	diff "$T/imported.want" "$T/imported.got" | head -5 | sed 's/^/#   /'
	return 1
}

# none PATTERN FILE...: no line of the files matches.
none() { ! grep -q "$@"; }

# until_figure KEY N: wait (10 s at most) until the emulator counts N of
# KEY; fails if it never does.
until_figure() {
	u_i=0
	until [ "$(emu_figure "$1")" -ge "$2" ]; do
		[ $u_i -lt 500 ] || return 1
		sleep 0.02
		u_i=$((u_i + 1))
	done
}

# ---- two runs on one journal ----
# The first holds the journal from before its first request until it
# ends; a second refuses at once, naming it, or waits with --wait-lock.
emu_start --job-seconds 1 || exit 1
mkchunks two 4 10
a0-submit -c "$C" -s "$T/two.state" -j 1 "$T"/two-*.json \
    > "$T/two1.out" 2> "$T/two1.err" &
first=$!
ok "first run: started" until_figure 'POST /oauth/token' 1
check "second run on a journal in use: exit 5 at once" 5 '' '' \
    "^a0-submit: $T/two.state: in use by process $first; run again when it ends, or add --wait-lock\$" \
    a0-submit -c "$C" -s "$T/two.state" "$T"/two-*.json
ok "second run: no request made" \
    test "$(emu_figure 'POST /oauth/token')" = 1
check "--wait-lock: waits, then finds every chunk done" 0 '' - \
    "^a0-submit: $T/two.state: in use by process $first; waiting for it to end\$" \
    a0-submit -c "$C" -s "$T/two.state" --wait-lock "$T"/two-*.json
ok "--wait-lock: every result from the journal" \
    test "$(grep -c '"from_journal":true' "$T/out")" = 4
wait $first
ok "first run: exit 0" test $? = 0
ok "two runs: each chunk posted once" test "$(emu_figure "$POSTS")" = 4
ok "two runs: exactly the users" imported two 40
ok "two runs: no failed user" \
    test "$(cat "$T/two1.out" "$T/out" | grep -c '"failed":0')" = 8

# A run killed while it holds the journal leaves no lock behind.
mkdir "$T/crash"
mkchunks crash 2 5
n=$(emu_figure 'POST /oauth/token')
a0-submit -c "$C" -s "$T/crash/state" "$T"/crash-*.json \
    > "$T/crash.out" 2> "$T/crash.err" &
pid=$!
ok "kill -9: the run has started" until_figure 'POST /oauth/token' $((n + 1))
# (The shell's "Killed" goes to a file: stderr is the TAP stream's.)
{ kill -9 $pid; wait $pid; } 2> "$T/killed"
check "after kill -9, the journal is free" 0 '' - '' \
    a0-submit -c "$C" -s "$T/crash/state" "$T"/crash-*.json
ok "after kill -9, no file beside the journal" \
    test "$(ls -A "$T/crash")" = state
ok "after kill -9: exactly the users" imported crash 10

# Opening the journal a second time would drop the lock.
check "the journal given as a chunk: refused" 3 '' - \
    "^a0-submit: $T/two.state: is the journal \\(-s\\), not a chunk\$" \
    a0-submit -c "$C" -s "$T/two.state" "$T/two.state"
check "the journal given as the rejects file: refused" 2 '' '' \
    "^a0-submit: -r $T/two.state: is the journal \\(-s\\)\$" \
    a0-submit -c "$C" -s "$T/two.state" -r "$T/two.state" "$T/two-1.json"
emu_stop

# ---- a signal during a post ----
# Every answer comes 0.8 s late; the signal is sent once the tenant has
# the post, at a different moment of its wait each time (up to 0.2 s
# in, leaving the time it takes to see the post).  The run
# finishes that post, journals its job and stops with exit 5; the rerun
# follows the job and posts nothing.
emu_start --job-seconds 0.2 --faults slow:1:0.8 || exit 1
TOKEN=$(emu_token)
i=1
while [ $i -le 20 ]; do
	mkchunk "$T/sig-$i.json" sig $((i * 5 - 5)) $((i * 5 - 1))
	n=$(emu_figure "$POSTS")
	case $((i % 2)) in 0) sig=TERM ;; *) sig=INT ;; esac
	AUTH0_API_TOKEN=$TOKEN a0-submit -C "$CON" -s "$T/sig-$i.state" \
	    "$T/sig-$i.json" > "$T/sig-$i.out" 2> "$T/sig-$i.err" &
	pid=$!
	until_figure "$POSTS" $((n + 1)) || echo "# trial $i: no post seen"
	case $((i % 4)) in
	1) ;;
	2) sleep 0.05 ;;
	3) sleep 0.1 ;;
	0) sleep 0.2 ;;
	esac
	kill -$sig $pid
	wait $pid
	echo $? > "$T/sig-$i.status"
	AUTH0_API_TOKEN=$TOKEN a0-submit -C "$CON" -s "$T/sig-$i.state" \
	    "$T/sig-$i.json" > "$T/sig-$i.rerun" 2> "$T/sig-$i.rerr"
	echo $? >> "$T/sig-$i.status"
	i=$((i + 1))
done
# trials FILE PATTERN: the trials whose FILE does not match PATTERN.
trials() {
	t_bad=
	i=1
	while [ $i -le 20 ]; do
		grep -Eq -- "$2" "$T/sig-$i.$1" || t_bad="$t_bad $i"
		i=$((i + 1))
	done
	[ -z "$t_bad" ] && return 0
	echo "#   trials$t_bad: $T/sig-N.$1 does not match /$2/"
	sed 's/^/#   /' "$T/sig-${t_bad##* }.$1"
	return 1
}
ok "signal: 20 runs stopped with exit 5" trials status '^5$'
ok "signal: the reruns exit 0" trials status '^0$'
ok "signal: the request in flight was finished" \
    trials err '^a0-submit: finishing the requests in flight \(a second signal stops at once\)$'
ok "signal: says how to resume" \
    trials err '^a0-submit: interrupted; run again with -s .*sig-[0-9]*\.state to resume$'
ok "signal: each job journaled" trials state '	posted	.*	job_'
ok "signal: each rerun followed the job" trials rerun '"resumed":true'
ok "signal: no post was uncertain" \
    test "$(cat "$T"/sig-*.rerun | grep -c uncertain)" = 0
ok "signal: each chunk posted once" test "$(emu_figure "$POSTS")" = 20
ok "signal: exactly the users" imported sig 100

# A post refused (4xx) while the run stops made no job: journaled so, the
# rerun posts it without doubt.
mkchunk "$T/nocon.json" nocon 0 1
n=$(emu_figure "$POSTS")
AUTH0_API_TOKEN=$TOKEN a0-submit -C con_A0EmulatorNone01 \
    -s "$T/nocon.state" "$T/nocon.json" > "$T/nocon.out" 2> "$T/nocon.err" &
pid=$!
until_figure "$POSTS" $((n + 1))
kill -TERM $pid
wait $pid
ok "a post refused while stopping: exit 5" test $? = 5
ok "a post refused while stopping: journaled as no job" \
    grep -Eq '	done	[0-9a-f]{64}	.*nocon\.json	-	stopped	0	0	0	0	0	0$' \
    "$T/nocon.state"
emu_stop

# A second signal stops at once: the post is abandoned, its intent left
# in the journal, and the rerun reports the post it repeats.
emu_start --job-seconds 0.2 --faults slow:1:1.5 || exit 1
TOKEN=$(emu_token)
mkchunk "$T/twice.json" twice 0 4
AUTH0_API_TOKEN=$TOKEN a0-submit -C "$CON" -s "$T/twice.state" \
    "$T/twice.json" > "$T/twice.out" 2> "$T/twice.err" &
pid=$!
until_figure "$POSTS" 1
kill -TERM $pid
sleep 0.2
kill -TERM $pid
wait $pid
ok "second signal: exit 5" test $? = 5
ok "second signal: the post abandoned, as the message says" grep -q \
    "^a0-submit: stopped at once; $T/twice.json: the post in flight may have made a job: a rerun posts it again and reports it\$" \
    "$T/twice.err"
ok "second signal: no job journaled" \
    test "$(grep -c '	posted	' "$T/twice.state")" = 0
check "second signal: the rerun" 0 '' - '' \
    env AUTH0_API_TOKEN="$TOKEN" a0-submit -C "$CON" -s "$T/twice.state" "$T/twice.json"
ok "second signal: the repeated post reported" \
    grep -q '"uncertain_posts":1,"earlier_duplicates":5' "$T/out"
emu_stop

# ---- files torn by an earlier stop ----
emu_start --job-seconds 0.2 || exit 1
mkchunk "$T/rj.json" rj 0 9
check "rejects: the users imported first" 0 '' - '' \
    a0-submit -c "$C" "$T/rj.json"
printf '{"user":{"email":"torn' > "$T/r.jsonl"
check "a torn rejects file: the torn line cut, with a warning" 1 '' - \
    "^a0-submit: $T/r.jsonl: 22 bytes after the last line cut off: a line torn by an earlier stop; its job's failed users are fetched again by a run with the -s journal that posted it\$" \
    a0-submit -c "$C" -r "$T/r.jsonl" "$T/rj.json"
check "a torn rejects file: every line parses" 0 "$T/r.jsonl" - '' jq -c .
jq -r .user.email "$T/r.jsonl" | sort > "$T/rj.got"
want_emails rj 0 9 > "$T/rj.want"
ok "a torn rejects file: jq -c .user gives every reject" \
    cmp -s "$T/rj.want" "$T/rj.got"

# The job whose rejects were being written when the run stopped: not
# done in the journal, so its failed users are fetched again.
mkchunk "$T/rk.json" rj 0 9
a0-submit -c "$C" -s "$T/rk.state" --no-wait -r "$T/rk.jsonl" "$T/rk.json" \
    > /dev/null 2>&1
head -c 100 "$T/r.jsonl" > "$T/rk.jsonl"
check "torn while its job's rejects were written: the rerun" 1 '' - \
    "^a0-submit: $T/rk.jsonl: 100 bytes after the last line cut off: a line torn by an earlier stop; its job is not done in the journal, so its failed users are fetched again\$" \
    a0-submit -c "$C" -s "$T/rk.state" -r "$T/rk.jsonl" "$T/rk.json"
check "torn while written: every line parses" 0 "$T/rk.jsonl" - '' jq -c .
jq -r .user.email "$T/rk.jsonl" | sort > "$T/rk.got"
ok "torn while written: every reject, fetched again" \
    cmp -s "$T/rj.want" "$T/rk.got"

# Results appended to a file (>>) torn by an earlier stop.
printf '{"file":"x","sha256":"' > "$T/results.jsonl"
mkchunk "$T/rs.json" rs 0 4
a0-submit -c "$C" "$T/rs.json" >> "$T/results.jsonl" 2> "$T/rs.err"
ok "a torn results file: exit 0" test $? = 0
ok "a torn results file: the torn line cut, with a warning" grep -q \
    "^a0-submit: stdout: 22 bytes after the last line cut off: a line torn by an earlier stop; a rerun with the same -s journal prints every chunk's line again\$" \
    "$T/rs.err"
check "a torn results file: every line parses" 0 "$T/results.jsonl" - '' \
    jq -c .
ok "a torn results file: the new result" grep -q '"status":"completed"' \
    "$T/results.jsonl"

# A journal torn by an earlier stop: the torn line is cut (it recorded a
# step that never happened), quietly, and every other line kept.
printf '%s\tposted\t' "$(date +%s)" >> "$T/rk.state"
check "a torn journal: the run" 1 '' - '' \
    a0-submit -c "$C" -s "$T/rk.state" "$T/rk.json"
ok "a torn journal: every line whole" \
    test "$(grep -vc '^#' "$T/rk.state")" = "$(grep -Ec '	(intent|lost|posted|done)	[0-9a-f]{64}	' "$T/rk.state")"
emu_stop

# ---- a job the tenant no longer knows ----
emu_start --job-seconds 5 || exit 1
PORT=${EMU_URL##*:}
mkchunk "$T/gone.json" gone 0 9
check "a job posted, not waited for" 0 '' - '' \
    a0-submit -c "$C" -s "$T/gone.state" --no-wait "$T/gone.json"
emu_stop
emu_start --port "$PORT" --job-seconds 0.2 || exit 1
check "a journaled job the tenant does not know: exit 4" 4 '' - \
    "^a0-submit: $T/gone.json: job job_[A-Za-z0-9]{16} is not known to the tenant \\(404\\): whether its users were imported is not known; a0-export of the connection tells, or post the chunk again with --upsert and a new -s state\$" \
    a0-submit -c "$C" -s "$T/gone.state" "$T/gone.json"
ok "unknown job: its status" grep -q '"status":"unknown"' "$T/out"
ok "unknown job: not said to be refused" none refused "$T/out" "$T/err"
check "unknown job: the rerun says it again" 4 '' - \
    "^a0-submit: $T/gone.json: job job_[A-Za-z0-9]{16} is not known to the tenant" \
    a0-submit -c "$C" -s "$T/gone.state" "$T/gone.json"
ok "unknown job: the rerun, from the journal" \
    grep -q '"status":"unknown".*"from_journal":true' "$T/out"
ok "unknown job: nothing posted" test "$(emu_figure "$POSTS")" = 0
check "unknown job: --upsert posts it again" 0 '' - '' \
    a0-submit -c "$C" --upsert "$T/gone.json"
ok "unknown job: then every user is there" imported gone 10
emu_stop

# ---- paths on standard input ----
# A line of 10 MB is no path: refused in a few words, the next line is.
mkchunk "$T/p.json" p 0 1
{ head -c 10000000 /dev/zero | tr '\0' x; echo; echo "$T/p.json"; } \
    > "$T/long"
check "a path line of 10 MB: exit 3" 3 "$T/long" - \
    '^a0-submit: stdin:1: a line of more than 4096 bytes, not a path: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…$' \
    a0-submit -c "$C" --dry-run
ok "a path line of 10 MB: said briefly" test "$(wc -c < "$T/err")" -lt 200
ok "a path line of 10 MB: the next path is read" \
    grep -q '"status":"dry-run"' "$T/out"

# The same path again: not read again (a FIFO can be read only once).
mkfifo "$T/fifo.json"
cat "$T/p.json" > "$T/fifo.json" &
printf '%s\n' "$T/fifo.json" "$T/fifo.json" "$T/fifo.json" > "$T/paths"
check "the same path three times: read once" 0 "$T/paths" - \
    "^a0-submit: $T/fifo.json: given again; read once, its repeats skipped\$" \
    timeout -k 5 20 a0-submit -c "$C" --dry-run
ok "the same path three times: one line each" \
    test "$(grep -c '"status":"dry-run"' "$T/out")/$(grep -c \
    '"status":"duplicate"' "$T/out")" = 1/2
ok "the same path three times: one warning" test "$(wc -l < "$T/err")" = 1
yes "$T/p.json" | head -n 200000 > "$T/paths"
check "200000 repeats of one path" 0 "$T/paths" - \
    "^a0-submit: $T/p.json: given again; read once, its repeats skipped\$" \
    timeout -k 5 120 a0-submit -c "$C" --dry-run
ok "200000 repeats: a line each" \
    test "$(grep -c '"status":"duplicate"' "$T/out")" = 199999

done_testing
