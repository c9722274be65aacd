#!/bin/sh
# 0610-submit-faults: a0-submit against a tenant that misbehaves: 5xx,
# rate limits, dropped connections, expiring tokens, the 2-job limit,
# and runs killed at any moment.  Every time: every user imported, once.
. "${0%/*}/lib.sh"

command -v curl >/dev/null || skip_all "curl is not installed"

C=Username-Password-Authentication
CON=con_A0EmulatorDb0001

# imported PREFIX COUNT: the emulator holds exactly PREFIX-0..COUNT-1.
imported() {
	emu_emails | grep "^$1-" > "$T/imported.got"
	want_emails "$1" 0 $(($2 - 1)) > "$T/imported.want"
	cmp -s "$T/imported.want" "$T/imported.got" && return 0
	diff "$T/imported.want" "$T/imported.got" | head -5 | sed 's/^/#   /'
	return 1
}

# want_results DESC KEYS...: those fields of the result lines are stdin.
want_results() {
	w_d=$1
	shift
	cat > "$T/wr.want"
	results "$@" > "$T/wr.got"
	check "$w_d" 0 '' "$T/wr.want" '' cat "$T/wr.got"
}

# ---- 5xx, 429 and dropped connections, at random ----
emu_start --job-seconds 0.2 --faults 5xx:0.15,429:0.15,drop:0.15 --seed 7 ||
    exit 1
mkchunks f 8 50
check "faults: every chunk through" 0 '' - '' \
    env A0_RETRY_MAX=20 a0-submit -c "$C" -s "$T/fstate" "$T"/f-*.json
ok "faults: exactly the users" imported f 400
ok "faults: eight result lines" test "$(wc -l < "$T/out")" = 8
ok "faults: all completed" test "$(grep -c '"status":"completed"' "$T/out")" = 8
ok "faults: the faults happened" test "$(emu_figure faults)" -gt 5
emu_stop

# ---- answers late at random: the looks learned from earlier jobs ----
# Each job is looked at where the jobs before it were seen to end; slow
# answers make those ends look later or earlier than they are, and each
# job is still followed to its end.
emu_start --job-seconds 0.4 --faults slow:0.3:0.3 --seed 3 || exit 1
mkchunks late 8 20
check "slow answers: every chunk through" 0 '' - '' \
    a0-submit -c "$C" "$T"/late-*.json
ok "slow answers: exactly the users" imported late 160
ok "slow answers: all completed" \
    test "$(grep -c '"status":"completed"' "$T/out")" = 8
ok "slow answers: the faults happened" test "$(emu_figure faults.slow)" -gt 2
emu_stop

# ---- answers that stall: abandoned after A0_TIMEOUT, tried again ----
# Every answer comes 2 s late: past a 1 s A0_TIMEOUT, within a 4 s one.
emu_start --job-seconds 0.2 --faults slow:1:2 || exit 1
mkchunk "$T/stall.json" stall 0 4
while read -r secs st pat; do
	check "answers 2 s late, A0_TIMEOUT=$secs: exit $st" "$st" '' - \
	    "$pat" env A0_TIMEOUT="$secs" A0_RETRY_MAX=2 \
	    a0-submit -C "$CON" --no-wait "$T/stall.json"
done <<'EOF'
1 5 ^a0-submit: POST /oauth/token: nothing sent or received for 1 s \(gave up
4 0
EOF
ok "stalled: the job was posted in time" grep -q '"status":"pending"' "$T/out"
ok "stalled: two tries, then one" test "$(emu_figure 'POST /oauth/token')" = 3
emu_stop

# ---- the network does not recover: exit 5, then resume ----
# The same tenant (port, so audience) throughout; a token taken before
# the faults, so that the first request to fail is the import itself.
emu_start --job-seconds 0.2 || exit 1
PORT=${EMU_URL##*:}
TOKEN=$(emu_token)
emu_stop
emu_start --port "$PORT" --job-seconds 0.2 --faults drop:1 || exit 1
mkchunks r 2 10
check "dropped every time: exit 5" 5 '' '' \
    'users-imports: .*gave up after 2 tries in [0-9]+ s\); run again with -s .*rstate' \
    env A0_RETRY_MAX=2 AUTH0_API_TOKEN=$TOKEN \
    a0-submit -C "$CON" -s "$T/rstate" "$T"/r-*.json
ok "lost answers journaled" grep -q '	lost	' "$T/rstate"
emu_stop
emu_start --port "$PORT" --job-seconds 0.2 || exit 1
check "rerun once it is back"      0 '' - '' \
    a0-submit -c "$C" -s "$T/rstate" "$T"/r-*.json
ok "resumed: exactly the users" imported r 20
ok "resumed: the lost answers reported" \
    test "$(results uncertain_posts | awk '{ n += $1 } END { print n }')" \
    -ge 2
emu_stop

# ---- tokens that expire during the run ----
emu_start --job-seconds 0.6 --token-ttl 1 || exit 1
mkchunks t 6 20
check "token expiry mid-run"       0 '' - '' a0-submit -c "$C" "$T"/t-*.json
ok "token: exactly the users" imported t 120
ok "token: renewed" test "$(emu_figure tokens_issued)" -ge 2
emu_stop

# ---- Auth0's two-job limit ----
emu_start --job-seconds 3 || exit 1
mkchunks x 1 5
mkchunks k 3 10
TOKEN=$(emu_token)
# Someone else's job holds one of the tenant's two slots.
curl -sS -H "Authorization: Bearer $TOKEN" \
    -F "users=@$T/x-1.json;type=application/json" -F connection_id=$CON \
    "$EMU_URL/api/v2/jobs/users-imports" > "$T/foreign"
check "one slot taken by another job" 0 '' - '' \
    a0-submit -c "$C" "$T"/k-*.json
ok "2-job limit: exactly the users" imported k 30
ok "2-job limit: the 429 was met" test "$(emu_figure statuses.429)" -ge 1
# Both slots taken, none ours: back off until they end.
for i in 1 2; do
	mkchunks y$i 1 5
	curl -sS -H "Authorization: Bearer $TOKEN" \
	    -F "users=@$T/y$i-1.json;type=application/json" \
	    -F connection_id=$CON "$EMU_URL/api/v2/jobs/users-imports" \
	    > "$T/foreign"
done
mkchunks z 1 10
check "both slots taken by others: wait" 0 '' - '' \
    a0-submit -c "$C" "$T"/z-*.json
ok "waited: exactly the users" imported z 10
emu_stop
# Three jobs at once against a limit of two: the third waits for one of
# its own, with at most one more 429 (and POST) when the two end together.
emu_start --job-seconds 3 || exit 1
mkchunks three 3 10
check "-j 3 at the 2-job limit" 0 '' - '' \
    a0-submit -c "$C" -j 3 "$T"/three-*.json
ok "-j 3: exactly the users" imported three 30
ok "-j 3: at most two 429s" test "$(emu_figure statuses.429)" -le 2
ok "-j 3: at most five import POSTs" \
    test "$(emu_figure 'POST /api/v2/jobs/users-imports')" -le 5
emu_stop

# ---- answers Auth0 gives that the default tenant does not ----
# A 429 with neither Retry-After nor x-ratelimit-* and a bare body.
emu_start --job-seconds 0.2 --faults 429bare:0.3 --seed 5 || exit 1
mkchunks bare 4 10
check "bare 429s: every chunk through" 0 '' - '' \
    env A0_RETRY_MAX=20 a0-submit -c "$C" "$T"/bare-*.json
ok "bare 429s: exactly the users" imported bare 40
ok "bare 429s: they happened" test "$(emu_figure faults.429bare)" -gt 0
emu_stop

# A job that fails with a summary: its failed users are collected.
emu_start --job-seconds 0.2 --faults jobfail:1 || exit 1
printf '[{"email":"jf-1@example.com"},{"email":"jf-1@example.com"},{"email":"jf-2@example.com"}]\n' \
    > "$T/jf.json"
check "a failed job with a summary: exit 1" 1 '' - \
    'jf\.json: job job_[A-Za-z0-9]{16} failed: The import job failed' \
    a0-submit -c "$C" -r "$T/jf.rej" "$T/jf.json"
want_results "its result" status inserted failed total <<EOF
failed	2	1	3
EOF
ok "its failed user collected" test "$(jq -r .user.email "$T/jf.rej")" = \
    jf-1@example.com
emu_stop

# A job that fails with no summary, and /errors 204.
emu_start --job-seconds 0.2 --faults jobfail-bare:1 || exit 1
mkchunk "$T/jb.json" jb 1 3
check "a failed job without a summary: exit 1, said" 1 '' - \
    'jb\.json: job job_[A-Za-z0-9]{16} failed' \
    a0-submit -c "$C" -r "$T/jb.rej" "$T/jb.json"
want_results "its result" status inserted failed total <<EOF
failed	0	0	0
EOF
ok "no user collected" test ! -s "$T/jb.rej"
emu_stop

# A job Auth0 has deleted (after its 24 hours; here 1 s).
emu_start --job-seconds 0.2 --job-ttl 1 || exit 1
mkchunk "$T/tl.json" tl 1 3
check "--no-wait, then the job ends and is deleted" 0 '' - '' \
    a0-submit -c "$C" --no-wait -s "$T/tlstate" "$T/tl.json"
sleep 1.5
check "a deleted job: unknown, exit 4" 4 '' - \
    'tl\.json: .*(Job not found|not known|no longer)' \
    a0-submit -c "$C" -s "$T/tlstate" "$T/tl.json"
want_results "its result" status <<EOF
unknown
EOF
emu_stop

# Connections that take no import, clients that get no token: exit 4.
emu_start --other-connections --other-clients || exit 1
mkchunk "$T/nc.json" nc 1 3
while IFS='	' read -r how st pat; do
	eval "set -- $how"
	check "refused: $how" "$st" '' '' "$pat" "$@" "$T/nc.json"
done <<'EOF'
a0-submit -c email	4	Connection must be a database connection
a0-submit -C con_A0EmulatorGo0001	4	Connection must be a database connection
env AUTH0_CLIENT_ID=a0-emulator-nogrant a0-submit -c Username-Password-Authentication	4	403 access_denied.*Client is not authorized to access
env AUTH0_CLIENT_ID=a0-emulator-nocc a0-submit -c Username-Password-Authentication	4	403 unauthorized_client.*client_credentials. not allowed
EOF
ok "none of them imported anything" test "$(emu_figure users)" = 0
emu_stop

# ---- rate limits ----
emu_start --job-seconds 0.5 --rate-limit 4 || exit 1
mkchunks l 6 10
check "a tight rate limit"         0 '' - '' a0-submit -c "$C" "$T"/l-*.json
ok "rate limit: exactly the users" imported l 60
emu_stop

# ---- kill -9 at any moment, then rerun ----
emu_start --job-seconds 0.4 || exit 1
mkchunks m 8 25
for delay in 0.1 0.3 0.5 0.9 1.3; do
	(
		a0-submit -c "$C" -s "$T/mstate" "$T"/m-*.json > "$T/mout" &
		mpid=$!
		sleep $delay
		kill -9 $mpid
		wait $mpid
	) 2>> "$T/killed"
done
check "rerun after kill -9"        0 '' - '' \
    a0-submit -c "$C" -s "$T/mstate" "$T"/m-*.json
ok "kill -9: exactly the users" imported m 200
ok "kill -9: every chunk reported" test "$(wc -l < "$T/out")" = 8
ok "kill -9: at most the chunks in flight posted again" \
    test "$(emu_figure 'POST /api/v2/jobs/users-imports')" -le $((8 + 5 * 2))
check "and again: nothing left to post" 0 '' - '' \
    a0-submit -c "$C" -s "$T/mstate" "$T"/m-*.json
ok "nothing posted by the last run" \
    test "$(grep -c from_journal "$T/out")" = 8

# A post whose job was made but whose answer never came: posted again,
# and its users reported as possibly imported by the earlier post.
mkchunks u 1 30
check "imported once (the answer is lost below)" 0 '' - '' \
    a0-submit -c "$C" "$T/u-1.json"
usha=$(a0-submit --dry-run -c "$C" "$T/u-1.json" |
    sed 's/.*"sha256":"\([0-9a-f]*\)".*/\1/')
printf '%s\tintent\t%s\t%s\n' "$(date +%s)" "$usha" "$T/u-1.json" \
    > "$T/ustate"
check "repost after a lost answer: exit 0" 0 '' - '' \
    a0-submit -c "$C" -s "$T/ustate" -r "$T/urej" "$T/u-1.json"
ok "reported apart" grep -q \
    '"failed":30,"total":30,"uncertain_posts":1,"earlier_duplicates":30' \
    "$T/out"
ok "not in the rejects" test ! -s "$T/urej"
ok "lost answer: exactly the users" imported u 30

# SIGTERM: the journal is whole, exit 5, and a rerun finishes the job.
mkchunks s 4 10
a0-submit -c "$C" -s "$T/sstate" "$T"/s-*.json > "$T/sout" 2> "$T/serr" &
spid=$!
i=0
until [ $i -ge 100 ] || { [ -f "$T/sstate" ] &&
    grep -q '	posted	' "$T/sstate"; }; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM $spid
wait $spid
ok "SIGTERM: exit 5" test $? = 5
ok "SIGTERM: says how to resume" grep -q 'interrupted; run again with -s' \
    "$T/serr"
check "rerun after SIGTERM"        0 '' - '' \
    a0-submit -c "$C" -s "$T/sstate" "$T"/s-*.json
ok "SIGTERM: exactly the users" imported s 40
emu_stop

done_testing
