#!/bin/sh
# 0600-submit: a0-submit's flags and exit statuses, and every chunk
# imported exactly once into the emulator: the pipeline, results, rejects,
# the journal, and what it must not do (send oversize chunks, leak secrets,
# speak plain HTTP to a remote host).
. "${0%/*}/lib.sh"

command -v curl >/dev/null || skip_all "curl is not installed"

C=Username-Password-Authentication
CON=con_A0EmulatorDb0001
V=$(sed -n 's/^#define A0_VERSION.*"\(.*\)"/\1/p' "$TOP/common/a0.h")

cat > "$T/usage" <<'EOF'
usage: a0-submit [-0] [-c name | -C con_id] [-f json|text] [--upsert[=bool]]
	[--email-results[=bool]] [-x external_id] [-s state] [--wait-lock]
	[-r rejects] [-j jobs] [--no-wait] [--dry-run] [--tenant domain]
	[--debug] [--no-color] [file ...]
EOF
echo "a0-submit $V" > "$T/version"

# same DESC FILE COMMAND...: COMMAND prints exactly FILE.
same() {
	s_d=$1
	cat "$2" > "$T/same.want"
	shift 2
	"$@" > "$T/same" 2>&1
	if cmp -s "$T/same.want" "$T/same"; then
		ok "$s_d" true
	else
		ok "$s_d" false
		diff -u "$T/same.want" "$T/same" | head -20 | sed 's/^/#   /'
	fi
}

# ---- flags, before any network ----
check "-h prints the usage"        0 '' - '' a0-submit -h
ok "-h: the usage, then the flags" sh -c 'sed "/^\$/,\$d" "$1/out" |
    cmp -s - "$1/usage" && grep -q "^  -j, --jobs jobs .*(default: 2)\$" \
    "$1/out"' sh "$T"
check "--help prints the usage"    0 '' - '' a0-submit --help
ok "--help: the usage, then the flags" sh -c 'sed "/^\$/,\$d" "$1/out" |
    cmp -s - "$1/usage"' sh "$T"
check "-V prints the version"      0 '' "$T/version" '' a0-submit -V
check "--version"                  0 '' "$T/version" '' a0-submit --version
check "neither -c nor -C"          2 '' '' 'give one of -c name and -C' \
    a0-submit x.json
check "both -c and -C"             2 '' '' 'give one of -c name and -C' \
    a0-submit -c "$C" -C "$CON" x.json
check "-C not a connection id"     2 '' '' 'a0-submit: -C con_x: not a' \
    a0-submit -C con_x x.json
check "-j 0"                       2 '' '' 'a0-submit: -j 0: too small' \
    a0-submit -c "$C" -j 0 x.json
check "-j 17"                      2 '' '' 'a0-submit: -j 17: too large' \
    a0-submit -c "$C" -j 17 x.json
check "--upsert=maybe"             2 '' '' 'upsert: maybe: not a boolean' \
    a0-submit -c "$C" --upsert=maybe x.json
check "unknown flag"               2 '' '' '^usage: a0-submit' \
    a0-submit --bogus
check "-x with a newline"          2 '' '' 'a0-submit: -x: control char' \
    a0-submit -c "$C" -x 'a
b' x.json
check "no AUTH0_DOMAIN"            2 '' '' 'AUTH0_DOMAIN is not set' \
    a0-submit -c "$C" x.json
check "no client credentials"      2 '' '' \
    'set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, or AUTH0_API_TOKEN' \
    env AUTH0_DOMAIN=t.example.com a0-submit -c "$C" x.json
check "ftp:// domain"              2 '' '' 'a0-submit: ftp://x: the scheme' \
    env AUTH0_DOMAIN=ftp://x AUTH0_API_TOKEN=t a0-submit -c "$C" x.json
check "A0_RETRY_MAX not a number" 2 '' '' 'A0_RETRY_MAX: x: invalid' \
    env A0_RETRY_MAX=x AUTH0_DOMAIN=t.example.com AUTH0_API_TOKEN=t \
    a0-submit -c "$C" x.json
# A0_TIMEOUT: whole seconds, 1 to 86400.
while read -r v why; do
	check "A0_TIMEOUT=$v" 2 '' '' "^a0-submit: A0_TIMEOUT: $v: $why\$" \
	    env A0_TIMEOUT="$v" AUTH0_DOMAIN=t.example.com AUTH0_API_TOKEN=t \
	    a0-submit -c "$C" x.json
done <<'EOF'
x	invalid
5s	invalid
1.5	invalid
-1	invalid
0	too small
86401	too large
EOF

# Plain HTTP to a host that is not loopback is refused before anything
# is sent; inside a network namespace nothing could leave anyway.
mkchunk "$T/p.json" plain 1 2
if unshare -n true 2>"$T/unshare.err"; then
	NS="unshare -n"
else
	NS=
fi
for d in http://example.com http://10.0.0.1:8080 http://[2001:db8::1] \
    http://127.evil.example.com http://localhost.example.com; do
	if [ -n "$NS" ]; then
		check "plain http to $d refused" 2 '' '' \
		    'plain http is allowed only to a loopback host' \
		    $NS env AUTH0_DOMAIN=$d AUTH0_API_TOKEN=t \
		    a0-submit -c "$C" "$T/p.json"
	else
		skip "unshare -n is not available"
	fi
done
check "--tenant overrides AUTH0_DOMAIN" 2 '' '' \
    'a0-submit: http://example.org: plain http' \
    env AUTH0_DOMAIN=http://127.0.0.1:1 AUTH0_API_TOKEN=t \
    a0-submit --tenant http://example.org -c "$C" "$T/p.json"

mkchunk "$T/a.json" a 1 400
check "--dry-run needs no credentials" 0 '' - '' \
    a0-submit --dry-run -C "$CON" "$T/a.json"
check "A0_TIMEOUT=86400 is taken"  0 '' - '' \
    env A0_TIMEOUT=86400 a0-submit --dry-run -C "$CON" "$T/a.json"
printf '%s\n' "$T/a.json" "$T/p.json" > "$T/dlist"
check "--dry-run: paths on stdin" 0 "$T/dlist" - '' \
    a0-submit --dry-run -C "$CON"
same "--dry-run: both read" /dev/stdin results file status total <<EOF
$T/a.json	dry-run	400
$T/p.json	dry-run	2
EOF

# ---- the emulator ----
emu_start --job-seconds 0.3 || { echo "Bail out! no emulator"; exit 1; }

mkchunk "$T/b.json" b 1 300
mkchunk "$T/c.json" c 1 200
printf '[\n]\n' > "$T/empty.json"

# --dry-run: no request at all.
check "--dry-run prints what it would post" 0 '' - '' \
    a0-submit --dry-run -c "$C" "$T/a.json" "$T/b.json"
same "--dry-run: the requests" /dev/stdin results file status total \
    request_bytes connection <<EOF
$T/a.json	dry-run	400	$(($(wc -c < "$T/a.json") + 583))	$C
$T/b.json	dry-run	300	$(($(wc -c < "$T/b.json") + 583))	$C
EOF
ok "--dry-run sent nothing" test "$(emu_figure 'POST /oauth/token')" = 0

# Three chunks as arguments; one empty one is skipped with a note.
curl -sS -X POST "$EMU_URL/__emulator/reset" > "$T/reset"
check "three chunks imported" 0 '' - 'empty.json: no records, skipped' \
    a0-submit -c "$C" "$T/a.json" "$T/empty.json" "$T/b.json" "$T/c.json"
ok "two TCP connections (and one for the figures)" \
    test "$(emu_figure connections)" -le 3
same "result lines" /dev/stdin results file status inserted updated failed \
    total <<EOF
$T/a.json	completed	400	0	0	400
$T/b.json	completed	300	0	0	300
$T/c.json	completed	200	0	0	200
$T/empty.json	skipped	0	0	0	0
EOF
want_emails a 1 400 b 1 300 c 1 200 > "$T/want"
same "every user imported once" "$T/want" emu_emails
ok "one token request" test "$(emu_figure 'POST /oauth/token')" = 1
ok "one connection look-up" test "$(emu_figure 'GET /api/v2/connections')" = 1
ok "one POST per chunk" \
    test "$(emu_figure 'POST /api/v2/jobs/users-imports')" = 3
ok "sha256 of each chunk" test "$(grep -c "\"sha256\":\"$(sha256sum \
    < "$T/a.json" | cut -c1-64)\"" "$T/out")" = 1

# The same users again, with --upsert: updated, not inserted.
check "--upsert updates" 0 '' - '' \
    a0-submit -c "$C" --upsert "$T/c.json"
same "upsert result" /dev/stdin results status inserted updated failed <<EOF
completed	0	200	0
EOF

# Without upsert the existing users fail: exit 1, every one in -r.
check "existing users fail: exit 1" 1 '' - \
    'c.json: 200 users failed \(-r file collects them\)' \
    a0-submit -C "$CON" "$T/c.json"
check "existing users with -r" 1 '' - '' \
    a0-submit -C "$CON" -r "$T/rej" "$T/c.json"
ok "rejects file is mode 0600" \
    test "$(ls -l "$T/rej" | cut -c1-10)" = -rw-------
same "rejects: one line per failed user" /dev/stdin "$PYTHON" -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    assert set(r) == {"user", "errors", "file", "job_id"}, r
    assert r["errors"][0]["code"] == "DUPLICATED_USER"
    assert r["user"]["email"].startswith("c-")
    n += 1
print(n)' "$T/rej" <<EOF
200
EOF

# Schema failures and duplicates inside a chunk.
cat > "$T/bad-users.json" <<'EOF'
[{"email":"d-1@example.com"},{"email":"d-1@example.com"},
 {"email":"not an email"},{"email":"d-2@example.com","blocked":"yes"},
 {"email":"d-3@example.com","username":"d3"}]
EOF
rm -f "$T/rej"
check "schema failures and duplicates: exit 1" 1 '' - '' \
    a0-submit -c "$C" -r "$T/rej" "$T/bad-users.json"
same "their result" /dev/stdin results status inserted failed total <<EOF
completed	2	3	5
EOF
same "their rejects" /dev/stdin "$PYTHON" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(json.dumps(r["user"], separators=(",", ":")),
          " ".join(e["code"] for e in r["errors"]))' "$T/rej" <<'EOF'
{"email":"d-1@example.com"} DUPLICATED_USER
{"email":"not an email"} INVALID_FORMAT
{"email":"d-2@example.com","blocked":"yes"} INVALID_TYPE
EOF

# One failed user: its errors are fetched too, one line in -r.
printf '[{"email":"d-3@example.com"},{"email":"d-4@example.com"}]\n' \
    > "$T/one-bad.json"
rm -f "$T/rej"
check "one failed user: exit 1" 1 '' - '' \
    a0-submit -c "$C" -r "$T/rej" "$T/one-bad.json"
same "one failed user: one line in -r" /dev/stdin "$PYTHON" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["user"]["email"], r["errors"][0]["code"])' "$T/rej" <<'EOF'
d-3@example.com DUPLICATED_USER
EOF

# Chunks that are not sent: exit 3, and nothing reaches the API.
n0=$(emu_figure 'POST /api/v2/jobs/users-imports')
"$PYTHON" - "$T/big.json" <<'EOF'
import json, sys
# A file under 512000 bytes whose request is over it.
u, n = [], 0
size = 2
while True:
    r = {"email": "big-%d@example.com" % n, "name": "x" * 200}
    size += len(json.dumps(r, separators=(",", ":"))) + 1
    if size > 511900:
        break
    u.append(r)
    n += 1
json.dump(u, open(sys.argv[1], "w"), separators=(",", ":"))
EOF
check "413-size chunk refused locally" 3 '' - \
    'big.json: the request would be [0-9]+ bytes, over .* 512000' \
    a0-submit -c "$C" "$T/big.json"
echo '[{"email":"x@example.com"},2]' > "$T/obj.json"
check "not an array of objects"    3 '' - \
    "obj.json:1:28: record 2: expected an object, found '2'" \
    a0-submit -c "$C" "$T/obj.json"
echo '[{"email":"x@example.com"},' > "$T/broken.json"
check "truncated JSON"             3 '' - 'broken.json:2:1: unexpected end' \
    a0-submit -c "$C" "$T/broken.json"
printf '[{"name":"\377"}]' > "$T/notutf8.json"
check "not UTF-8"                  3 '' - 'notutf8.json:1:11: .*UTF-8' \
    a0-submit -c "$C" "$T/notutf8.json"
printf '{"email":"y-1@example.com"}\n{"email":"y-2@example.com"}\n' \
    > "$T/ndjson.json"
check "a sequence of objects is sent as an array" 0 '' - '' \
    a0-submit --dry-run -c "$C" "$T/ndjson.json"
same "its size" /dev/stdin results total request_bytes <<EOF
2	$((54 + 4 + 583))
EOF
check "missing file"               3 '' - \
    'nothere.json: No such file or directory' \
    a0-submit -c "$C" "$T/nothere.json"
ok "none of them was sent" \
    test "$(emu_figure 'POST /api/v2/jobs/users-imports')" = "$n0"
mkchunk "$T/e.json" e 1 10
check "a bad chunk does not stop the others" 3 '' - 'obj.json:1:28: ' \
    a0-submit -c "$C" "$T/obj.json" "$T/e.json"
same "the good one imported" /dev/stdin results file status inserted <<EOF
$T/e.json	completed	10
$T/obj.json	error	0
EOF

check "-r where no file can be made" 3 '' '' 'a0-submit: .*/no/rej: No such' \
    a0-submit -c "$C" -r "$T/no/rej" "$T/e.json"
check "-s where no file can be made" 3 '' '' 'a0-submit: .*/no/st: No such' \
    a0-submit -c "$C" -s "$T/no/st" "$T/e.json"
check "--no-color is taken"        0 '' - '' \
    a0-submit --no-color --dry-run -c "$C" "$T/e.json"

# The API refuses: exit 4.
check "unknown connection name"    4 '' '' 'a0-submit: Nope: no such conn' \
    a0-submit -c Nope "$T/e.json"
check "unknown connection id"      4 '' '' \
    '400 Bad Request: The connection does not exist' \
    a0-submit -C con_AAAAAAAAAAAAAAAA "$T/e.json"
check "wrong client secret"        4 '' '' \
    'POST /oauth/token: 401 access_denied|POST /oauth/token: 401' \
    env AUTH0_CLIENT_SECRET=wrong a0-submit -c "$C" "$T/e.json"
check "a token that is refused"    4 '' '' \
    'the token in AUTH0_API_TOKEN was refused' \
    env AUTH0_API_TOKEN=not-a-token AUTH0_CLIENT_ID= a0-submit -C "$CON" \
    "$T/e.json"
check "... renewed when the client credentials are set too" 1 '' - \
    'users failed' \
    env AUTH0_API_TOKEN=not-a-token a0-submit -C "$CON" "$T/e.json"


# The flags reach the request.
check "--dry-run shows the flags" 0 '' - '' a0-submit --dry-run -C "$CON" \
    --upsert --email-results=false -x 'batch "7"' "$T/e.json"
same "upsert, email, external_id" /dev/stdin results connection upsert \
    send_completion_email external_id <<EOF
$CON	True	False	batch "7"
EOF
mkchunk "$T/x.json" x 1 3
check "-x: the job carries the external id" 0 '' - '' \
    a0-submit -c "$C" -j 1 -x 'batch "7"' "$T/x.json"
emu_get /__emulator/jobs > "$T/jobs"
ok "the emulator's job has it" grep -q '"external_id":"batch \\"7\\""' \
    "$T/jobs"

# The whole pipeline, a0-chunk's paths on a pipe: every user once.
check "template | validate | chunk | submit" 0 '' - '' sh -c '
    a0-template -n 2500 basic | a0-validate | a0-chunk -b 100K -d "$1" |
    a0-submit -c "$2"' sh "$T/pipe" "$C"
ok "pipeline: one result per chunk" \
    test "$(wc -l < "$T/out")" = "$(ls "$T/pipe" | wc -l)"
ok "pipeline: 2500 inserted" \
    test "$(results inserted | awk '{ n += $1 } END { print n }')" = 2500
ok "pipeline: every user once" test "$(emu_emails | grep -c '^user')" = 2500

# ---- paths on stdin, streamed ----
mkchunk "$T/s1.json" s 1 50
mkchunk "$T/s2.json" s 51 100
printf '%s\n' "$T/s1.json" "$T/s2.json" > "$T/list"
check "paths on stdin" 0 "$T/list" - '' a0-submit -c "$C"
printf '%s\0' "$T/s1.json" "$T/s2.json" > "$T/list0"
check "-0: NUL-separated paths (already imported: exit 1)" 1 "$T/list0" - \
    's2.json: 50 users failed' a0-submit -0 -c "$C"
same "-0 read both" /dev/stdin results file failed <<EOF
$T/s1.json	50
$T/s2.json	50
EOF

# The first chunk is posted while stdin is still open.
mkchunk "$T/w1.json" w 1 20
mkchunk "$T/w2.json" w 21 40
mkfifo "$T/fifo"
a0-submit -c "$C" < "$T/fifo" > "$T/wout" 2> "$T/werr" &
wpid=$!
exec 7> "$T/fifo"
echo "$T/w1.json" >&7
i=0
while [ $i -lt 100 ] && ! grep -q w1.json "$T/wout"; do
	sleep 0.1
	i=$((i + 1))
done
ok "first result before stdin ends" grep -q '"status":"completed"' "$T/wout"
echo "$T/w2.json" >&7
exec 7>&-
wait $wpid
ok "then the second" test "$(grep -c completed "$T/wout")" = 2

# ---- the journal ----
mkchunk "$T/j1.json" j 1 100
mkchunk "$T/j2.json" j 101 200
mkchunk "$T/j3.json" j 201 300
check "-s: first run" 0 '' - '' \
    a0-submit -c "$C" -s "$T/state" "$T/j1.json" "$T/j2.json"
ok "journal is mode 0600" test "$(ls -l "$T/state" | cut -c1-10)" = -rw-------
n0=$(emu_figure 'POST /api/v2/jobs/users-imports')
t0=$(emu_figure 'POST /oauth/token')
check "-s: rerun posts nothing" 0 '' - '' \
    a0-submit -c "$C" -s "$T/state" "$T/j1.json" "$T/j2.json"
ok "no POST on rerun" \
    test "$(emu_figure 'POST /api/v2/jobs/users-imports')" = "$n0"
ok "no token on rerun" test "$(emu_figure 'POST /oauth/token')" = "$t0"
same "rerun reports from the journal" /dev/stdin results file status \
    inserted from_journal <<EOF
$T/j1.json	completed	100	True
$T/j2.json	completed	100	True
EOF
check "-s: a new chunk is posted, the old are not" 0 '' - '' \
    a0-submit -c "$C" -s "$T/state" "$T/j1.json" "$T/j2.json" "$T/j3.json"
ok "exactly one more POST" \
    test "$(emu_figure 'POST /api/v2/jobs/users-imports')" = $((n0 + 1))
echo garbage >> "$T/state"
check "a journal that is not one"  3 '' '' 'state:[0-9]+: not an a0-submit' \
    a0-submit -c "$C" -s "$T/state" "$T/j1.json"

# --no-wait prints job ids; a rerun with -s follows them.
mkchunk "$T/n1.json" n 1 30
check "--no-wait" 0 '' - '' \
    a0-submit -c "$C" --no-wait -s "$T/nstate" "$T/n1.json"
same "--no-wait: job id, pending" /dev/stdin results file status <<EOF
$T/n1.json	pending
EOF
ok "--no-wait: a job id" grep -q '"job_id":"job_' "$T/out"
check "-s follows a job posted by --no-wait" 0 '' - '' \
    a0-submit -c "$C" -s "$T/nstate" < /dev/null
same "followed to its end" /dev/stdin results file status inserted \
    resumed <<EOF
$T/n1.json	completed	30	True
EOF

# A job older than Auth0's 24 hours.
printf '%s\tposted\t%s\t%s\t%s\n' 1000000000 \
    "$(sha256sum < "$T/e.json" | cut -c1-64)" "$T/e.json" \
    job_AAAAAAAAAAAAAAAA > "$T/old"
check "a job posted more than 24 hours ago" 1 '' - \
    'posted more than 24 hours ago' \
    a0-submit -c "$C" -s "$T/old" "$T/e.json"
same "reported as expired" /dev/stdin results status job_id <<EOF
expired	job_AAAAAAAAAAAAAAAA
EOF

# A job posted an hour ago that the tenant does not know: that chunk's
# users are in doubt, said (exit 4), the others go on.
printf '%s\tposted\t%s\t%s\t%s\n' $(($(date +%s) - 3600)) \
    "$(sha256sum < "$T/e.json" | cut -c1-64)" "$T/e.json" \
    job_BBBBBBBBBBBBBBBB > "$T/unknown"
mkchunk "$T/h.json" h 1 4
check "a journaled job the tenant does not know: exit 4" 4 '' - \
    'e\.json: job job_BBBBBBBBBBBBBBBB is not known to the tenant \(404\)' \
    a0-submit -c "$C" -s "$T/unknown" "$T/e.json" "$T/h.json"
same "that chunk unknown, the other imported" /dev/stdin results file \
    status inserted <<EOF
$T/e.json	unknown	0
$T/h.json	completed	4
EOF
ok "the unknown one names its job" \
    grep -q '"job_id":"job_BBBBBBBBBBBBBBBB","status":"unknown"' "$T/out"

# ---- --debug ----
mkchunk "$T/g.json" g 1 5
check "--debug traces requests" 0 '' - '> POST /oauth/token' \
    a0-submit --debug -c "$C" "$T/g.json"
ok "--debug: no client secret" sh -c "! grep -q a0-emulator-secret '$T/err'"
ok "--debug: no token" sh -c "! grep -q 'eyJ' '$T/err'"
ok "--debug: Authorization redacted" \
    grep -q 'Authorization: \[redacted\]' "$T/err"
ok "--debug: access_token redacted" \
    grep -q '"access_token":"\[redacted\]"' "$T/err"
ok "--debug: client_secret redacted" \
    grep -q 'client_secret=\[redacted\]' "$T/err"

# ---- exit 5: the network does not recover ----
check "no server: exit 5"          5 '' '' \
    '^a0-submit: POST /oauth/token: .*127\.0\.0\.1.* \(gave up after 2 tries in [0-9]+ s\); run again with -s .*/st5 to resume$' \
    env A0_RETRY_MAX=2 AUTH0_DOMAIN=http://127.0.0.1:1 \
    a0-submit -c "$C" -s "$T/st5" "$T/e.json"
emu_stop
emu_start --faults 5xx:1 || exit 1
check "5xx every time: exit 5"     5 '' '' \
    'POST /oauth/token: 50[023] .*gave up after 3 tries' \
    env A0_RETRY_MAX=3 a0-submit -c "$C" "$T/e.json"
emu_stop

# ---- the looks at each job, learned from the jobs before ----
# looks: the job status requests the emulator has answered.
looks() {
	emu_get /__emulator/stats | "$PYTHON" -c '
import json, sys
r = json.load(sys.stdin)["requests"]
print(sum(v for k, v in r.items() if k.startswith("GET /api/v2/jobs/")
          and not k.endswith("/errors")))'
}
# Jobs over when posted: each is looked at once, however early the jobs
# before teach a0-submit to look.
emu_start --job-seconds 0 || exit 1
for i in 1 2 3 4 5 6; do
	mkchunk "$T/l$i.json" l$i 1 10
done
check "jobs over at once: imported" 0 '' - '' \
    a0-submit -c "$C" -j 1 "$T"/l[1-6].json
ok "jobs over at once: six completed" \
    test "$(grep -c '"status":"completed"' "$T/out")" = 6
ok "jobs over at once: one look each" test "$(looks)" = 6
emu_stop

# ---- -f text, the connection checked before a post, retries said ----
ok "an emulator with more connections" \
    emu_start --job-seconds 0.2 --connections 3 --other-connections
mkchunk "$T/t1.json" text 1 3
check "-f text: a person's lines" 0 '' - '' \
    a0-submit -c "$C" -f text --email-results=false "$T/t1.json"
sed "s/job_[A-Za-z0-9]*/JOB/g; s/127\.0\.0\.1:[0-9]*/HOST/" "$T/out" > "$T/text"
cat > "$T/want" <<'EOF'

=== HOST started user import job

 ▸    Job with ID 'JOB' successfully started.
 ▸    Job 'JOB' completed: 3 inserted, 0 updated, 0 failed, 3 total.

=== HOST imported 3 of 3 users in 1 job: 3 inserted, 0 updated, 0 failed
EOF
ok "... heading, start, end, summary" cmp -s "$T/want" "$T/text"
check "-f text: each failed user" 1 '' - '' \
    a0-submit -c "$C" -f text --email-results=false -r "$T/trej" "$T/t1.json"
ok "... with Auth0's code and message" grep -q \
    '^ ▸    Failed: text-1@example.com: DUPLICATED_USER: The user already exist and upsert parameter is false$' \
    "$T/out"
ok "... after its job's end" sh -c 'grep -A1 "completed: 0 inserted" "$1" |
    grep -q "Failed: text-1@"' sh "$T/out"
: > "$T/nothing"
check "-f text: nothing to import" 0 "$T/nothing" - '' a0-submit -c "$C" -f text
ok "... says so" grep -q '^ ▸    Nothing to import: the input holds no users\.$' "$T/out"
check "-f yaml: exit 2"            2 '' '' '^a0-submit: -f yaml: not json or text$' \
    a0-submit -c "$C" -f yaml "$T/t1.json"

before=$(emu_figure "POST /api/v2/jobs/users-imports")
check "a connection enabled for no application: exit 4, before a post" 4 \
    '' '' '^a0-submit: Database-0003: Connection must be enabled\.$' \
    a0-submit -c Database-0003 "$T/t1.json"
ok "... nothing posted" \
    test "$(emu_figure "POST /api/v2/jobs/users-imports")" = "$before"
check "... its /clients asked" 4 '' '' 'Connection must be enabled' \
    a0-submit -c Database-0003 --debug "$T/t1.json"
ok "... as GET /connections/{id}/clients" \
    grep -q 'GET /api/v2/connections/con_A0EmulatorEx0003/clients' "$T/err"
check "not a database connection: exit 4, before a post" 4 '' '' \
    '^a0-submit: email: Connection must be a database connection\.$' \
    a0-submit -c email "$T/t1.json"
ok "... nothing posted" \
    test "$(emu_figure "POST /api/v2/jobs/users-imports")" = "$before"
check "an enabled one: imported"   0 '' - '' \
    a0-submit -c Database-0002 --upsert "$T/t1.json"
check "AUTH0_AUDIENCE: the token asked for that audience" 0 '' - '' \
    env AUTH0_AUDIENCE="https://${EMU_URL#http://}/api/v2/" \
    a0-submit -c Database-0002 --upsert "$T/t1.json"
check "... another API's: refused, exit 4" 4 '' '' \
    'POST /oauth/token: 403 access_denied: Service not enabled within domain' \
    env AUTH0_AUDIENCE=https://example.com/api/v2/ \
    a0-submit -c Database-0002 --upsert "$T/t1.json"

# A retry is said as it is decided: with --debug, or on a terminal.
check "--debug: each retry said"   5 '' '' \
    'POST /oauth/token: retrying in 1 s \(2/3\): .*127\.0\.0\.1' \
    env A0_RETRY_MAX=3 AUTH0_DOMAIN=http://127.0.0.1:1 \
    a0-submit -c "$C" --debug "$T/t1.json"
ok "... once a retry" test "$(grep -c 'retrying in' "$T/err")" = 2

# On a terminal the progress line is erased before any other line: the
# note that users failed comes on a line of its own.
mkchunk "$T/t2.json" text 4 6
cat > "$T/ptyrun.py" <<'EOF'
import os, pty, sys
out = open(sys.argv[1], "wb")
pid, fd = pty.fork()
if pid == 0:
    os.dup2(os.open("/dev/null", os.O_WRONLY), 1)
    os.execvp(sys.argv[2], sys.argv[2:])
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out.write(data)
os.waitpid(pid, 0)
EOF
"$PYTHON" "$T/ptyrun.py" "$T/pty.raw" a0-submit -c "$C" --email-results=false \
    "$T/t1.json" "$T/t2.json"
ok "on a terminal: a progress line" grep -q 'chunks, ' "$T/pty.raw"
ok "... erased before each note" "$PYTHON" -c '
import re, sys
raw = open(sys.argv[1], "rb").read()
notes = [m.start() for m in re.finditer(rb"a0-submit: [^0-9]", raw)]
bad = [i for i in notes if not (i == 0 or raw[:i].endswith((b"\n", b"\x1b[K")))]
sys.exit(1 if bad or not notes else 0)' "$T/pty.raw"
emu_stop

done_testing
