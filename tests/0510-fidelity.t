#!/bin/sh
# 0510-fidelity: a0-validate and the emulator read the documented rules
# alike: emails and usernames compared lower-cased in every script, the
# email format with UTF-8 allowed, 32.0 an integer.  Where they could
# differ, the same records go through both and the verdicts are compared.
. "${0%/*}/lib.sh"

command -v curl > /dev/null || skip_all "curl is not installed"
command -v jq > /dev/null || skip_all "jq is not installed"

C=Username-Password-Authentication

# validate_bad FILE: the record numbers a0-validate rejects, one a line.
validate_bad() {
	a0-validate -n -f json --no-dup "$1" 2> "$T/v.diag"
	jq -r 'select(.severity == "error") | .record' "$T/v.diag" | sort -un
}

# rejected FILE REJECTS: the numbers of the records of FILE that are in
# REJECTS (a0-submit -r, in file order), one a line.  Users are told
# apart by email, username and name (the rejects mask hash values).
rejected() {
	"$PYTHON" -c '
import json, sys
users = json.load(open(sys.argv[1]))
key = lambda u: (u.get("email"), u.get("username"), u.get("name"))
i = 0
for l in open(sys.argv[2]):
    k = key(json.loads(l)["user"])
    while key(users[i]) != k:
        i += 1
    i += 1
    print(i)' "$1" "$2"
}

# emulator_bad FILE: the record numbers the emulator fails.
emulator_bad() {
	rm -f "$T/e.rej"
	a0-submit -c "$C" --upsert -r "$T/e.rej" "$1" > "$T/e.out" \
	    2> "$T/e.err"
	[ -f "$T/e.rej" ] || : > "$T/e.rej"
	rejected "$1" "$T/e.rej"
}

# same_verdicts DESC FILE: a0-validate and the emulator fail the same
# records of FILE.
same_verdicts() {
	validate_bad "$2" > "$T/vbad"
	emulator_bad "$2" > "$T/ebad"
	if cmp -s "$T/vbad" "$T/ebad"; then
		ok "$1" true
	else
		ok "$1" false
		diff "$T/vbad" "$T/ebad" | head -10 | sed 's/^/#   /'
		head -5 "$T/e.err" | sed 's/^/#   /'
	fi
}

emu_start --job-seconds 0 || { echo "Bail out! no emulator"; exit 1; }

# ---- the email format ----
"$PYTHON" - "$T/emails.json" <<'EOF'
import json, sys
emails = [
    "a@example.com", "jörg@example.com", "JÖRG@bücher.example",
    "日本語@example.jp", "ñ.o@example.es", "a@b", "a@b.co", "a@example.c",
    "a@example.123", "a@example.xn--p1ai", "a@example.xn--", "a@-x.com",
    "a@x-.com", "a@x..com", ".a@example.com", "a.@example.com",
    "a..b@example.com", "a b@example.com", "a\"b@example.com",
    "a(b)@example.com", "a@exa_mple.com", "a@[127.0.0.1]", "a@127.0.0.1",
    "a@ex\u00e4mple.com", "a@example.c\u00f6m", "\u00e9@\u00e9.\u00e9\u00e9",
    "l" * 64 + "@example.com", "l" * 65 + "@example.com",
    "\u00e9" * 32 + "@example.com", "\u00e9" * 33 + "@example.com",
    "a@" + "d" * 63 + ".com", "a@" + "d" * 64 + ".com",
    "a@" + ".".join(["d" * 49] * 5) + ".com",
    "a@" + ".".join(["d" * 50] * 5) + ".com",
    "a\u0000b@example.com", "a\u007fb@example.com", "a\u00a0b@example.com",
    "a@@example.com", "@example.com", "a@", "a!#$%&'*+/=?^_`{|}~-@x.com",
]
json.dump([{"email": e} for e in emails], open(sys.argv[1], "w"),
          ensure_ascii=False)
EOF
same_verdicts "email format: a0-validate and the emulator agree" \
    "$T/emails.json"
ok "email format: UTF-8 local parts pass both" \
    test -z "$(grep -x 2 "$T/vbad")"

# ---- lower case in every script ----
# Every code point that Python's str.lower (JavaScript's toLowerCase)
# changes, in an email and a username, then its lower-cased form: each
# second one a duplicate, as Python says, in a0-validate and the emulator.
"$PYTHON" - "$T/fold.json" "$T/fold.want" <<'EOF'
import json, sys, unicodedata
cps = [c for c in range(0x80, 0x110000)
       if not 0xD800 <= c < 0xE000 and chr(c).lower() != chr(c)]
words = [chr(c) + "x" for c in cps]
# The final sigma: after a cased letter, before none (dots and
# apostrophes skipped).
words += ["\u039f\u0394\u03a5\u03a3", "\u03bf\u03b4\u03c5\u03c3",
          "\u03bf\u03b4\u03c5\u03c2", "\u0391\u03a3.\u03a3",
          "\u0391'\u03a3", "\u03a3", "\u03a3\u0391", "a\u03a3b",
          "a\u03a3", "\u0130", "i\u0307", "I", "\u212a", "k"]
recs, seen, want = [], set(), []
for w in words:
    for v in (w, w.lower()):
        e = {"email": v + "@example.com", "username": "u" + v,
             "name": "%d" % len(recs)}
        k = (e["email"].lower(), e["username"].lower())
        recs.append(e)
        if k[0] in seen or k[1] in seen:
            want.append(len(recs))
        seen.update(k)
json.dump(recs, open(sys.argv[1], "w"), ensure_ascii=False)
open(sys.argv[2], "w").write("".join("%d\n" % n for n in want))
EOF
a0-validate -n -f json "$T/fold.json" 2> "$T/fold.diag"
jq -r 'select(.code == "DUPLICATED_USER") | .record' "$T/fold.diag" |
    sort -un > "$T/fold.got"
check "lower case: a0-validate's duplicates are Python's" 0 '' \
    "$T/fold.want" '' cat "$T/fold.got"
# The emulator, in chunks it takes (the file is over 512000 bytes).
"$PYTHON" - "$T/fold.json" "$T/foldc" <<'EOF'
import json, sys
u = json.load(open(sys.argv[1]))
for i in range(0, len(u), 1500):
    json.dump(u[i:i + 1500], open("%s-%03d.json" % (sys.argv[2], i // 1500),
              "w"), ensure_ascii=False)
EOF
curl -sS -X POST "$EMU_URL/__emulator/reset" > /dev/null
a0-submit -c "$C" -j 1 -r "$T/fold.rej" "$T"/foldc-*.json > "$T/fold.out" \
    2> "$T/fold.err"
rejected "$T/fold.json" "$T/fold.rej" > "$T/fold.emu"
check "lower case: the emulator's duplicates are Python's" 0 '' \
    "$T/fold.want" '' cat "$T/fold.emu"
if [ -x /usr/bin/python3 ]; then
	/usr/bin/python3 "$TOP/common/mklower" --check "$TOP/common/dupset.c"
	case $? in
	0) ok "lower case: dupset.c's tables are this Python's" true ;;
	77) skip "lower case: this Python's Unicode is not the tables'" ;;
	*) ok "lower case: dupset.c's tables are this Python's" false ;;
	esac
else
	skip "lower case: no /usr/bin/python3 to check the tables"
fi

# ---- usernames, as Auth0 keeps them ----
curl -sS -X POST "$EMU_URL/__emulator/reset" > /dev/null
printf '[{"email":"b1@example.com","username":"Bob"},{"email":"b2@example.com","username":"bob"}]\n' \
    > "$T/bob.json"
check "usernames: Bob and bob in one file: one fails" 1 '' - '' \
    a0-submit -c "$C" -r "$T/bob.rej" "$T/bob.json"
ok "usernames: stored lower-cased" test "$(emu_get /__emulator/users |
    jq -r '[.[].username] | join(" ")')" = bob
ok "usernames: the second is the duplicate" \
    test "$(jq -r '.user.username + " " + .errors[0].code' "$T/bob.rej")" = \
    "bob DUPLICATED_USER"
printf '[{"email":"b3@example.com","username":"BOB"}]\n' > "$T/bob2.json"
check "usernames: BOB in a later job: it exists" 1 '' - '' \
    a0-submit -c "$C" -r "$T/bob2.rej" "$T/bob2.json"
ok "usernames: the later one fails as existing" \
    grep -q 'The user already exist' "$T/bob2.rej"
validate_bad "$T/bob.json" > /dev/null
ok "usernames: a0-validate agrees" sh -c \
    'a0-validate -n "$0" 2>&1 | grep -q "record 2: /username: DUPLICATED_USER"' \
    "$T/bob.json"

# ---- numbers: 32.0 is an integer ----
H='"hash":{"value":"30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4","encoding":"hex"}'
printf '[{"email":"n1@example.com","custom_password_hash":{"algorithm":"scrypt",%s,"keylen":32.0,"cost":1.6384e4}},{"email":"n2@example.com","custom_password_hash":{"algorithm":"scrypt",%s,"keylen":32.5}}]\n' \
    "$H" "$H" > "$T/num.json"
same_verdicts "numbers: 32.0 and 1.6384e4 integers to both, 32.5 to neither" \
    "$T/num.json"
check "numbers: only 32.5 refused" 0 '' /dev/stdin '' cat "$T/vbad" <<'EOF'
2
EOF

emu_stop

# ---- the emulator's answers for what Auth0 may do ----
# hdr PATH [CURL-ARGS...]: headers and body of GET PATH, into $T/h, $T/b.
hdr() {
	h_p=$1
	shift
	curl -sS -D "$T/h" -o "$T/b" "$@" "$EMU_URL$h_p"
}
emu_start --job-seconds 0 --job-ttl 1 --faults jobfail-bare:1 || exit 1
TOKEN=$(emu_token)
AUTH="Authorization: Bearer $TOKEN"
mkchunk "$T/u.json" u 1 2
curl -sS -H "$AUTH" -F "users=@$T/u.json;type=application/json" \
    -F connection_id=con_A0EmulatorDb0001 \
    "$EMU_URL/api/v2/jobs/users-imports" > "$T/job"
J=$(jq -r .id "$T/job")
hdr "/api/v2/jobs/$J" -H "$AUTH"
ok "jobfail-bare: failed, no summary, no details" jq -e \
    '.status == "failed" and has("summary") == false and
    has("status_details") == false' "$T/b"
hdr "/api/v2/jobs/$J/errors" -H "$AUTH"
ok "jobfail-bare: /errors is 204" grep -q '^HTTP/1.1 204' "$T/h"
sleep 1.2
hdr "/api/v2/jobs/$J" -H "$AUTH"
printf '%s' '{"statusCode":404,"error":"Not Found","message":"Job not found."}' \
    > "$T/want"
check "--job-ttl: the job is gone" 0 '' "$T/want" '' cat "$T/b"
emu_stop
emu_start --faults 429bare:1 || exit 1
hdr "/api/v2/connections" -H "$AUTH"
ok "429bare: a 429" grep -q '^HTTP/1.1 429' "$T/h"
ok "429bare: no Retry-After, no x-ratelimit-*" \
    sh -c '! grep -Eiq "^(retry-after|x-ratelimit)" "$0"' "$T/h"
printf '%s' '{"statusCode":429,"error":"Too Many Requests"}' > "$T/want"
check "429bare: the bare body" 0 '' "$T/want" '' cat "$T/b"
emu_stop

done_testing
