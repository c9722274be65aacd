#!/bin/sh
# examples/: the sample inputs say what they claim, and each script runs
# against the emulator, so that none can rot.
. "${0%/*}/lib.sh"

E=$TOP/examples
C=Username-Password-Authentication

# The sample inputs.
cat > "$T/users.diag" <<EOF
$E/users.json:97:3: record 11: /custom_password_hash/hash/encoding: ENUM_MISMATCH: must be one of base64, hex, utf8
$E/users.json:104:3: record 12: /email: DUPLICATED_USER: a user with this email was already provided (record 1)
EOF
check "users.json: one invalid record, one duplicate" 1 '' '' '.' \
    a0-validate -n "$E/users.json"
ok "... exactly those" cmp -s "$T/users.diag" "$T/err"
check "export.ndjson is an export: not importable as it is" 1 '' '' \
    'record 1: /created_at: OBJECT_ADDITIONAL_PROPERTIES' \
    a0-validate -n "$E/export.ndjson"

emu_start --job-seconds 0.2 || skip_all "emulator did not start"
reset() { curl -sS -X POST "$EMU_URL/__emulator/reset" > /dev/null; }
users() { emu_get /__emulator/users > "$T/tenant.json"; }
count() { users; grep -o '"email":' "$T/tenant.json" | wc -l | tr -d ' '; }
imports() {
	i_n=$(emu_get /__emulator/stats |
	    sed -n 's/.*"POST \/api\/v2\/jobs\/users-imports": *\([0-9]*\).*/\1/p')
	echo "${i_n:-0}"
}
is() { [ "$1" = "$2" ] || { echo "#   got '$1', want '$2'"; return 1; }; }

# migrate-export.sh
if command -v jq > /dev/null; then
	reset
	check "migrate-export.sh: an export into another tenant" 0 '' '' \
	    'imported 5 of 5 users in 1 job: 5 inserted' \
	    sh "$E/migrate-export.sh" -c "$C" "$E/export.ndjson"
	ok "... the social user is left out" is "$(count)" 5
	ok "... user_id without its auth0| prefix" \
	    grep -q '"user_id": *"64f1c0a1b2c3d4e5f6a7b801"' "$T/tenant.json"
	ok "... not auth0|auth0|" \
	    sh -c '! grep -q "auth0|auth0|" "$1"' sh "$T/tenant.json"
	ok "... metadata kept" grep -q '"newsletter": *true' "$T/tenant.json"
	gzip -c "$E/export.ndjson" > "$T/export.ndjson.gz"
	check "... from stdin, upserting: the same users updated" 0 \
	    "$E/export.ndjson" '' '0 inserted, 5 updated' \
	    sh "$E/migrate-export.sh" -U -c "$C"
	reset
	check "... a gzipped export" 0 '' '' '5 inserted' \
	    sh "$E/migrate-export.sh" "$T/export.ndjson.gz"
	printf '{"email":"a@example.com"}\n{"email":\n' > "$T/broken.ndjson"
	reset
	check "... a broken export: exit 3" 3 '' '' \
	    'the export could not be read or is not JSON' \
	    sh "$E/migrate-export.sh" "$T/broken.ndjson"
	check "... a missing file: exit 3" 3 '' '' 'nosuch' \
	    sh "$E/migrate-export.sh" "$T/nosuch.ndjson"
	check "... an unknown connection: a0-import's exit 4" 4 '' '' '.' \
	    sh "$E/migrate-export.sh" -c Nope "$E/export.ndjson"
	check "... a bad flag: exit 2" 2 '' '' 'usage: migrate-export.sh' \
	    sh "$E/migrate-export.sh" -z
else
	skip "jq is not installed: migrate-export.sh is not tested"
fi

# cron-import.sh
S=$T/spool
cron() { sh "$E/cron-import.sh" "$@"; }
reset
mkdir -p "$S/incoming"
a0-template -n 40 basic > "$S/incoming/a.json"
check "cron-import.sh: silent when all went well" 0 '' '' '' cron "$S"
ok "... the users are in the tenant" is "$(count)" 40
ok "... the file moved to done/" test -f "$S/done/a.json"
ok "... incoming/ is empty" is "$(ls -A "$S/incoming")" ""
ok "... nothing left in state/" is "$(ls -A "$S/state")" ""
ok "... the lock is released" test ! -e "$S/lock"
check "... an empty spool: silent" 0 '' '' '' cron "$S"

cp "$E/users.json" "$S/incoming/b.json"
check "rejected records: exit 1 and a report (stdout: mailed by cron)" 1 '' - '' \
    cron "$S"
grep -q '^b.json: exit 1: 1 jobs, 11 inserted, 0 updated, 0 failed of 11' "$T/out" &&
    grep -q 'ENUM_MISMATCH' "$T/out"
ok "... the report names the file, the counts and the reasons" [ $? -eq 0 ]
ok "... the rejected records are kept, private" \
    sh -c '[ -f "$1" ] && [ "$(ls -l "$1" | cut -c1-10)" = "-rw-------" ]' \
    sh "$S/rejects/b.json.rejects.json"
ok "... a valid JSON array of the 2 records" \
    sh -c 'a0-validate -n --no-dup "$1" 2>&1 | grep -c ENUM_MISMATCH | grep -qx 1' \
    sh "$S/rejects/b.json.rejects.json"

cp "$E/users.json" "$S/incoming/c.json"
check "users Auth0 fails (already imported): exit 1, failed users kept" 1 '' '-' '' \
    cron "$S"
ok "... failed users as JSON Lines" \
    grep -q '"code": *"DUPLICATED_USER"' "$S/rejects/c.json.failed.jsonl"

# The lock.
mkdir "$S/lock"
echo $$ > "$S/lock/pid"
a0-template -n 5 basic > "$S/incoming/d.json"
check "the lock is held by a live run: exit 5" 5 '' \
    '-' '' cron "$S"
ok "... it says so" grep -q 'another run (pid [0-9]*) is still importing' "$T/out"
ok "... the file waits in incoming/" test -f "$S/incoming/d.json"
sh -c 'exit 0' &
dead=$!
wait $dead
echo $dead > "$S/lock/pid"
reset
check "a lock left by a dead run is taken over" 0 '' '' '' cron "$S"
ok "... and the file imported" test -f "$S/done/d.json"

# A failure: the file stays for the next run.
a0-template -n 5 basic | sed 's/user0/e-user0/g' > "$S/incoming/e.json"
check "an unknown connection: exit 4, the file stays" 4 '' '-' '' \
    cron -c No-Such-Connection "$S"
ok "... in incoming/" test -f "$S/incoming/e.json"
check "the next run imports it" 0 '' '' '' cron "$S"

# Resume: a run killed while its job runs; the next run follows that job
# instead of posting the chunk again.
emu_stop
emu_start --job-seconds 3 || skip_all "emulator did not restart"
if ! command -v setsid > /dev/null; then
	skip "setsid is not installed: resuming is not tested"
	done_testing
	exit
fi
a0-template -n 30 basic | sed 's/user0/f-user0/g' > "$S/incoming/f.json"
# In a session of its own, so that the whole run can be killed at once.
setsid sh "$E/cron-import.sh" "$S" > "$T/killed.out" 2>&1 &
victim=$!
i=0
while [ "$(imports)" -lt 1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
kill -TERM -"$victim"
wait "$victim"
ok "a run killed while its job runs: the file is still in incoming/" \
    test -f "$S/incoming/f.json"
ok "... one job was posted" is "$(imports)" 1
check "the next run resumes" 0 '' '' '' cron "$S"
ok "... without posting the chunk again" is "$(imports)" 1
ok "... all the users are in" is "$(count)" 30

done_testing
