#!/bin/sh
# 0660-export: a0-export against the emulator: import records out of an
# export job, --raw, the support's hash file, and everything that can go
# wrong on the way (a failed or endless job, an expired link, a broken
# download, a line that is not JSON).
. "${0%/*}/lib.sh"

command -v curl >/dev/null || skip_all "curl is not installed"

C=Username-Password-Authentication
CON=con_A0EmulatorDb0001
HASH10='$2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234'
HASH12='$2b$12$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234'
HASHY='$2y$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234'

# lines FILE: the number of lines of FILE.
lines() { wc -l < "$1" | tr -d ' '; }

# whole FILE: FILE is empty or ends with a newline, and each line is
# one JSON object.
whole() {
	"$PYTHON" -c '
import json, sys
d = open(sys.argv[1], "rb").read()
assert not d or d.endswith(b"\n"), "a partial last line"
for l in d.splitlines():
    assert isinstance(json.loads(l), dict), l' "$1"
}

# post PATH FILE: POST FILE to the emulator.
post() { curl -sS -o /dev/null -f --data-binary "@$2" "$EMU_URL$1"; }

# ---- usage ----
cat > "$T/usage" <<'EOF'
usage: a0-export [-c name | -C con_id] [--hashes file] [--raw]
	[--tenant domain] [--debug] [--no-color]
EOF
check "-h: the usage first on stdout" 0 '' - '' a0-export -h
ok "-h: ... then a line a flag" sh -c "head -2 '$T/out' | cmp -s - '$T/usage' &&
    grep -q '^      --hashes file  *join the support' '$T/out'"
echo "a0-export 0.1.0" > "$T/version"
check "-V: the version" 0 '' "$T/version" '' a0-export -V
while IFS='|' read -r st pat args; do
	check "usage: $args: exit $st" "$st" '' '' "$pat" a0-export $args
done <<'EOF'
2|^usage: a0-export|-z
2|one of -c name and -C|-c a -C con_A0EmulatorDb0001
2|-C con_x: not a connection id|-C con_x
2|--raw and --hashes|--raw --hashes x
2|extra: unexpected argument|extra
2|AUTH0_DOMAIN is not set|-c a
2|plain http is allowed only to a loopback|--tenant http://example.com -c a
EOF

# ---- import records ----
emu_start --job-seconds 0.3 || exit 1
a0-template -n 20 > "$T/t20.json"
a0-chunk -d "$T/c" "$T/t20.json" | a0-submit -c "$C" > /dev/null ||
    echo "# the users were not imported"

check "export: 20 users" 0 '' - '' a0-export -c "$C"
cp "$T/out" "$T/export20"
ok "export: 20 lines" test "$(lines "$T/export20")" = 20
ok "export: each a JSON object on its line" whole "$T/export20"
ok "export: auth0| taken off each user_id" \
    test "$(grep -c '^{"user_id":"user0000[0-2][0-9]",' "$T/export20")" = 20
ok "export: no field the import schema lacks" "$PYTHON" -c '
import json, sys
keys = {"email", "email_verified", "phone_number", "phone_verified",
    "user_id", "username", "given_name", "family_name", "name", "nickname",
    "picture", "blocked", "password_hash", "custom_password_hash",
    "app_metadata", "user_metadata", "mfa_factors"}
for l in open(sys.argv[1]):
    extra = set(json.loads(l)) - keys
    assert not extra, extra' "$T/export20"
check "export: every record passes a0-validate" 0 "$T/export20" - '' \
    a0-validate
check "export: the same users as imported" 0 '' - '' "$PYTHON" -c '
import json, sys
a = json.load(open(sys.argv[1]))
b = [json.loads(l) for l in open(sys.argv[2])]
for x, y in zip(a, b):
    for k in ("email", "username", "user_id", "app_metadata", "user_metadata"):
        assert x.get(k) == y.get(k), (k, x, y)
assert len(a) == len(b)' "$T/t20.json" "$T/export20"
check "export -C: the same" 0 '' "$T/export20" '' a0-export -C "$CON"
check "export, no connection: every connection's users" 0 '' \
    "$T/export20" '' a0-export
emu_get /__emulator/jobs > "$T/jobs"
ok "export: each request an explicit field list; -C named, none for all" \
    "$PYTHON" -c '
import json, sys
jobs = [j for j in json.load(open(sys.argv[1])) if j["type"] == "users_export"]
assert len(jobs) == 3, jobs
for j, con in zip(jobs, ["con_A0EmulatorDb0001"] * 2 + [None]):
    assert j.get("connection_id") == con and j["format"] == "json", j
    names = [f["name"] for f in j["fields"]]
    assert "user_id" in names and "email" in names, names
    assert "identities" not in names and "created_at" not in names, names
' "$T/jobs"

check "--raw: the export as Auth0 wrote it" 0 '' - '' a0-export --raw -c "$C"
ok "--raw: 20 lines" test "$(lines "$T/out")" = 20
ok "--raw: user_id keeps auth0|, identities and created_at are there" \
    test "$(grep -c '^{"user_id":"auth0|user0000.*"identities":.*"created_at"' \
    "$T/out")" = 20
cp "$T/out" "$T/raw20"
check "--raw: not importable as it is" 1 "$T/raw20" - \
    'OBJECT_ADDITIONAL_PROPERTIES' a0-validate -n

check "--debug: a trace, secrets redacted" 0 '' "$T/export20" \
    'a0-export: debug: > POST /api/v2/jobs/users-exports' \
    a0-export --debug -c "$C"
ok "--debug: no secret in the trace" sh -c \
    "! grep -q 'a0-emulator-secret\|eyJ' '$T/err'"
ok "--debug: no Authorization to the download" sh -c \
    "grep -A3 '> GET /exports/' '$T/err' | grep -qv Authorization"

# On a terminal: a progress line, in colour unless --no-color.
if command -v script > /dev/null; then
	script -qec "a0-export -c $C > '$T/tty.out'" /dev/null > "$T/tty"
	ok "terminal: the job's state on a progress line, in bold" \
	    grep -q "$(printf '\r\033\\[Ka0-export: job_[A-Za-z0-9]*: \033\\[1mcompleted')" \
	    "$T/tty"
	ok "terminal: the summary" grep -q '20 users exported, 0 left out' \
	    "$T/tty"
	ok "terminal: the users on stdout" cmp -s "$T/export20" "$T/tty.out"
	script -qec "a0-export --no-color -c $C > /dev/null" /dev/null > "$T/tty"
	ok "terminal, --no-color: no colour" sh -c \
	    "grep -q 'completed' '$T/tty' && ! grep -q \"\$(printf '\033')\\[1m\" '$T/tty'"
else
	skip "script(1) is not installed: no terminal test"
fi

check "unknown connection name: exit 4" 4 '' '' \
    '^a0-export: Nope: no such connection$' a0-export -c Nope
check "unknown connection id: exit 4" 4 '' '' \
    'users-exports: 400 Bad Request: The connection does not exist' \
    a0-export -C con_A0EmulatorNone01
check "bad credentials: exit 4" 4 '' '' 'oauth/token: 401' \
    env AUTH0_CLIENT_SECRET=wrong a0-export -c "$C"

# Users an import cannot make, added as they are: another provider, no
# email, booleans as strings, a field the schema refuses.
cat > "$T/odd.json" <<'EOF'
[{"user_id":"google-oauth2|1234","email":"g@example.com"},
 {"user_id":"auth0|noemail","name":"No Email"},
 {"user_id":"auth0|strings","email":"s@example.com","email_verified":"true","blocked":"false"},
 {"user_id":"auth0|badphone","email":"p@example.com","phone_number":"not a phone","nickname":"p"},
 {"user_id":"auth0|nulls","email":"n@example.com","username":null,"created_at":"2020-01-01T00:00:00.000Z"}]
EOF
post /__emulator/users "$T/odd.json"
check "odd users: left out or mended, each said, exit 1" 1 '' - \
    'record 21 \(google-oauth2\|1234\): not a database user' \
    a0-export -c "$C"
tail -3 "$T/out" > "$T/odd.out"
cat > "$T/odd.want" <<'EOF'
{"user_id":"strings","email":"s@example.com","email_verified":true,"blocked":false}
{"user_id":"badphone","email":"p@example.com","nickname":"p"}
{"user_id":"nulls","email":"n@example.com"}
EOF
ok "odd users: the records made" cmp -s "$T/odd.want" "$T/odd.out"
ok "odd users: 23 written" test "$(lines "$T/out")" = 23
ok "odd users: no email, user left out" grep -q \
    'record 22 (auth0|noemail): /email: OBJECT_REQUIRED: .*; user left out' \
    "$T/err"
ok "odd users: a bad phone_number, field left out" grep -q \
    'record 24 (auth0|badphone): /phone_number: .*; field left out' "$T/err"
ok "odd users: the summary" grep -q \
    '^a0-export: 23 users exported, 2 left out, 1 without a field' "$T/err"
check "odd users: what is written passes a0-validate" 0 "$T/out" - '' \
    a0-validate
emu_stop

# ---- the emulator's export job and file ----
# A job of 2 s: pending for 0.4 s, then processing for 1.6 s.
emu_start --job-seconds 2 || exit 1
TOKEN=$(emu_token)
mkchunk "$T/five.json" five 0 4
a0-submit -c "$C" "$T/five.json" > /dev/null
api() {
	curl -sS -H "Authorization: Bearer $TOKEN" \
	    -H 'Content-Type: application/json' "$@"
}
api -d '{"connection_id":"con_A0EmulatorDb0001","format":"json","limit":3,"fields":[{"name":"email","export_as":"Mail"},{"name":"identities[0].connection"},{"name":"no_such_field"},{"name":"password_hash"}]}' \
    -w ' %{http_code}\n' "$EMU_URL/api/v2/jobs/users-exports" > "$T/created"
ok "emulator: users-exports answers 200 with the recorded keys" "$PYTHON" -c '
import json, sys
body, code = open(sys.argv[1]).read().rsplit(" ", 1)
assert code.strip() == "200", code
j = json.loads(body)
assert list(j) == ["type", "status", "connection_id", "format", "limit",
    "fields", "connection", "created_at", "id"], list(j)
assert j["status"] == "pending" and j["connection"] == "Username-Password-Authentication"
' "$T/created"
JOB=$("$PYTHON" -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().rsplit(" ",1)[0])["id"])' "$T/created")
# The answer to the POST says pending; then the GETs.
echo pending > "$T/seen"
i=0
while [ $i -lt 500 ]; do
	api "$EMU_URL/api/v2/jobs/$JOB" > "$T/job"
	"$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["status"])' \
	    < "$T/job" >> "$T/seen"
	grep -q '"completed"' "$T/job" && break
	sleep 0.02
	i=$((i + 1))
done
ok "emulator: pending, then processing, then completed" sh -c \
    "uniq '$T/seen' | tr '\n' ' ' | grep -qx 'pending processing completed '"
LOC=$("$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["location"])' < "$T/job")
case $LOC in
"$EMU_URL"/exports/*) ok "emulator: location on the emulator" true ;;
*) ok "emulator: location on the emulator ($LOC)" false ;;
esac
curl -sS "$LOC" | gzip -dc > "$T/file"
cat > "$T/file.want" <<'EOF'
{"Mail":"five-0@example.com","identities[0].connection":"Username-Password-Authentication"}
{"Mail":"five-1@example.com","identities[0].connection":"Username-Password-Authentication"}
{"Mail":"five-2@example.com","identities[0].connection":"Username-Password-Authentication"}
EOF
ok "emulator: gzip'd NDJSON, export_as, paths, limit, no hash" \
    cmp -s "$T/file.want" "$T/file"
check "emulator: a forged link is refused" 0 '' - '' \
    curl -sS -o /dev/null -w '%{http_code}' "$LOC"0
ok "emulator: ... with 403" test "$(cat "$T/out")" = 403
api -d '{"connection_id":"con_A0EmulatorNone01"}' \
    "$EMU_URL/api/v2/jobs/users-exports" > "$T/nocon"
ok "emulator: an unknown connection is a 400" \
    grep -q '"message":"The connection does not exist."' "$T/nocon"
emu_stop

emu_start --job-seconds 0.1 --location-ttl 2 || exit 1
TOKEN=$(emu_token)
api -d '{"format":"json","fields":[{"name":"email"}]}' \
    "$EMU_URL/api/v2/jobs/users-exports" > "$T/created"
JOB=$("$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["id"])' < "$T/created")
sleep 0.3
LOC=$(api "$EMU_URL/api/v2/jobs/$JOB" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["location"])')
sleep 3.1
check "emulator: a link older than --location-ttl is refused" 0 '' - '' \
    curl -sS -o "$T/expired" -w '%{http_code}' "$LOC"
ok "emulator: ... with S3's 403" sh -c "test \"\$(cat '$T/out')\" = 403 &&
    grep -q 'Request has expired' '$T/expired'"
LOC=$(api "$EMU_URL/api/v2/jobs/$JOB" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["location"])')
check "emulator: the job gives a fresh link" 0 '' - '' \
    curl -sS -o /dev/null -w '%{http_code}' "$LOC"
ok "emulator: ... that works" test "$(cat "$T/out")" = 200
emu_stop

# ---- the support's password-hash file ----
emu_start --job-seconds 0.2 || exit 1
"$PYTHON" - "$HASH10" "$HASH12" "$HASHY" > "$T/h.json" <<'EOF'
import json, sys
h10, h12, hy = sys.argv[1:4]
u = [{"email": "oid@example.com", "user_id": "0123456789abcdef01234567",
      "password_hash": h10},
     {"email": "alt@example.com", "user_id": "legacy-7", "password_hash": h10},
     {"email": "cost12@example.com", "user_id": "0123456789abcdef01234568",
      "custom_password_hash": {"algorithm": "bcrypt",
                               "hash": {"value": h12, "encoding": "utf8"}}},
     {"email": "y@example.com", "user_id": "0123456789abcdef01234569",
      "custom_password_hash": {"algorithm": "bcrypt",
                               "hash": {"value": hy, "encoding": "utf8"}}},
     {"email": "none@example.com", "user_id": "nohash"}]
print(json.dumps(u))
EOF
a0-submit -c "$C" "$T/h.json" > /dev/null
emu_get /__emulator/password-hashes > "$T/hashes"
ok "hashes: the emulator's support file has 4 lines" \
    test "$(lines "$T/hashes")" = 4
ok "hashes: with alt_id for a chosen id" grep -q '"alt_id":"legacy-7"' \
    "$T/hashes"
# The other forms of _id that support files show.
printf '%s\n' '{"_ID":{"$oid":"ffffffffffffffffffffff01"},"passwordHash":"'"$HASH10"'"}' \
    '{"_id":"ffffffffffffffffffffff02","passwordHash":"'"$HASH10"'"}' \
    >> "$T/hashes"
# A line for the same id in another connection: not this user's.
printf '%s\n' '{"_id":{"$oid":"0123456789abcdef01234567"},"connection":"Other-DB","passwordHash":"'"$HASH12"'"}' \
    >> "$T/hashes"
check "hashes: joined into password_hash, exit 0" 0 '' - \
    'hashes: 4 users with a password hash, 1 without; 3 of 7 hash lines matched no user, 1 were for another connection, 0 unusable$' \
    a0-export -c "$C" --hashes "$T/hashes"
cp "$T/out" "$T/hashed"
"$PYTHON" - "$HASH10" "$HASH12" "$HASHY" > "$T/hashed.want" <<'EOF'
import sys
h10, h12, hy = sys.argv[1:4]
c = '"custom_password_hash":{"algorithm":"bcrypt","hash":{"value":"%s","encoding":"utf8"}}'
print('"user_id":"0123456789abcdef01234567" "password_hash":"%s"' % h10)
print('"user_id":"legacy-7" "password_hash":"%s"' % h10)
print('"user_id":"0123456789abcdef01234568" ' + c % h12)
print('"user_id":"0123456789abcdef01234569" ' + c % hy)
print('"user_id":"nohash" -')
EOF
"$PYTHON" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    h = "-"
    if "password_hash" in r: h = "\"password_hash\":\"%s\"" % r["password_hash"]
    if "custom_password_hash" in r: h = "\"custom_password_hash\":" + json.dumps(r["custom_password_hash"], separators=(",", ":"))
    print("\"user_id\":\"%s\" %s" % (r["user_id"], h))' "$T/hashed" > "$T/hashed.got"
ok "hashes: bcrypt cost 10 as password_hash, others as custom" \
    cmp -s "$T/hashed.want" "$T/hashed.got"
ok "hashes: the unmatched lines named" grep -q \
    'hashes: the hash of user ffffffffffffffffffffff02 matched no exported user' \
    "$T/err"
check "hashes: the records pass a0-validate" 0 "$T/hashed" - '' a0-validate
printf '%s\n' '{"_id":{"$oid":"ffffffffffffffffffffff03"}}' \
    '{"passwordHash":"'"$HASH10"'"}' \
    '{"_id":{"$oid":"0123456789abcdef01234567"},"passwordHash":"x"}' \
    '{"_id":{"$oid":"0123456789abcdef01234567"},"passwordHash":"'"$HASH12"'"}' \
    >> "$T/hashes"
check "hashes: unusable lines, by line number, exit 1" 1 '' - \
    '^a0-export: .*/hashes:8: no passwordHash$' \
    a0-export -c "$C" --hashes "$T/hashes"
for want in '/hashes:9: no _id$' '/hashes:10: passwordHash is not a bcrypt' \
    '/hashes:11: a second line for this user; the first is used' \
    '4 unusable$'; do
	ok "hashes: $want" grep -q -- "$want" "$T/err"
done
ok "hashes: still joined" cmp -s "$T/hashed" "$T/out"
printf '{"_id": tru}\n' > "$T/badjson"
check "hashes: not JSON: exit 3, before any request" 3 '' '' \
    '^a0-export: .*/badjson:1:12: record 1: invalid literal' a0-export -c "$C" --hashes "$T/badjson"
check "hashes: no such file: exit 3" 3 '' '' 'nosuch: No such file' \
    a0-export -c "$C" --hashes "$T/nosuch"
check "hashes: not a regular file: exit 3" 3 '' '' 'not a regular file' \
    a0-export -c "$C" --hashes /dev/null
emu_stop

# ---- faults ----
emu_start --job-seconds 0.2 --export-fault fail || exit 1
check "failed job: exit 4" 4 '' '' \
    'job_[A-Za-z0-9]+: the export job failed: Export job failed \(emulated\)\.$' \
    a0-export -c "$C"
emu_stop

emu_start --job-seconds 0.2 --export-fault never || exit 1
check "endless job: A0_EXPORT_TIMEOUT bounds it, exit 5" 5 '' '' \
    'still (pending|processing) after 1 s \(A0_EXPORT_TIMEOUT\)$' \
    env A0_EXPORT_TIMEOUT=1 a0-export -c "$C"
check "A0_EXPORT_TIMEOUT=0: exit 2" 2 '' '' 'A0_EXPORT_TIMEOUT: 0: too small' \
    env A0_EXPORT_TIMEOUT=0 a0-export -c "$C"
looks=$(grep -c 'GET /api/v2/jobs/' "$T/emu.log")
a0-export -c "$C" > "$T/int.out" 2> "$T/int.err" &
ipid=$!
# Stopped once it follows the job.
i=0
until [ "$(grep -c 'GET /api/v2/jobs/' "$T/emu.log")" -gt "$looks" ] ||
    [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$ipid"
wait "$ipid"
ok "SIGTERM while the job runs: exit 5" test $? = 5
ok "SIGTERM: said so, nothing on stdout" sh -c \
    "grep -q '^a0-export: interrupted$' '$T/int.err' && test ! -s '$T/int.out'"
emu_stop

emu_start --job-seconds 0.2 --export-fault expire --seed-users 50 || exit 1
check "expired location: the job again, then the file" 0 '' - '' \
    a0-export -c "$C"
ok "expired location: 50 users" test "$(lines "$T/out")" = 50
ok "expired location: a 403, then a 200" sh -c \
    "grep -c 'GET /exports/.* 403' '$T/emu.log' | grep -qx 1 &&
    grep -c 'GET /exports/.* 200' '$T/emu.log' | grep -qx 1"
emu_stop

emu_start --job-seconds 0.1 --export-fault expired || exit 1
check "a location always expired: gives up, exit 4" 4 '' '' \
    'download: 403: .*AccessDenied.*: gave up after 5 tries$' \
    a0-export -c "$C"
emu_stop

for fault in truncate corrupt; do
	emu_start --job-seconds 0.1 --export-fault $fault --seed-users 20000 ||
	    exit 1
	case $fault in
	truncate) pat='the gzip stream is truncated' ;;
	corrupt) pat='the gzip stream is corrupt: ' ;;
	esac
	check "$fault gzip: exit 3" 3 '' - "$pat" a0-export -c "$C"
	ok "$fault gzip: whole lines only" whole "$T/out"
	ok "$fault gzip: fewer users than exported" \
	    test "$(lines "$T/out")" -lt 20000
	ok "$fault gzip: said to be incomplete" \
	    grep -q 'the export is incomplete: [0-9]* users written' "$T/err"
	emu_stop
done

emu_start --job-seconds 0.1 --export-fault badline --seed-users 5 || exit 1
check "a line that is not JSON: exit 3, the users before it" 3 '' - \
    'export line 2, column 1: ' a0-export -c "$C"
ok "not JSON: one whole line written" sh -c \
    "test \"\$(wc -l < '$T/out')\" -eq 1 && tail -c 1 '$T/out' | od -c | grep -q '\\\\n'"
check "not JSON, --raw: exit 3 too" 3 '' - 'export line 2' \
    a0-export --raw -c "$C"
emu_stop

emu_start --job-seconds 0.2 --faults 5xx:0.2,429:0.2,drop:0.1 --seed 5 \
    --seed-users 30 || exit 1
check "API faults: retried, every user" 0 '' - '' \
    env A0_RETRY_MAX=30 a0-export -c "$C"
ok "API faults: 30 users" test "$(lines "$T/out")" = 30
ok "API faults: the faults happened" test "$(emu_figure faults)" -gt 2
emu_stop

done_testing
