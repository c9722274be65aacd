#!/bin/sh
# examples/from-django.sh and examples/from-keycloak.sh: an export to a
# finished import against the emulator, with its reset list.
. "${0%/*}/lib.sh"

command -v curl >/dev/null || skip_all "curl is not installed"
E=$TOP/examples
C=$TOP/tests/convert
emu_start --job-seconds 0.1 || skip_all "emulator did not start"
reset() { curl -sS -X POST "$EMU_URL/__emulator/reset" > /dev/null; }
users() { emu_get /__emulator/stats | sed -n 's/.*"users": *\([0-9]*\).*/\1/p'; }
is() { [ "$1" = "$2" ] || { echo "#   got '$1', want '$2'"; return 1; }; }
login() {
	curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	    -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$EMU_URL/__emulator/login"
}
cd "$T" || exit 1

# from-django.sh
reset
check "from-django.sh: a dumpdata file, one user without an email" 1 '' - \
    'django.json:16:1: record 15: /email: no email' \
    sh "$E/from-django.sh" -a "$C/django.accounts" "$C/django.json"
ok "... one result line: 15 inserted" grep -q '"inserted":15,' "$T/out"
ok "... 15 users in the tenant" is "$(users)" 15
ok "... the reset list, 5 users, in ./resets.jsonl" is "$(grep -c '"reason":' resets.jsonl)" 5
ok "... mode 0600" sh -c 'ls -l resets.jsonl | grep -q "^-rw-------"'
ok "... a user logs in with the Django password" is "$(login pbkdf2-sha256@example.com lètmein)" 200
reset
printf 'pbkdf2-sha256@example.com\tletmein\n' > wrong.accounts
check "... a test account that does not log in: nothing sent" 1 '' '' \
    'a test account would not log in: nothing was sent' \
    sh "$E/from-django.sh" -a wrong.accounts "$C/django.json"
ok "... naming the field at fault" grep -q \
    'wrong.accounts:1: pbkdf2-sha256@example.com: mismatch: custom_password_hash.hash.value' \
    "$T/err"
ok "... the tenant is empty" is "$(users)" 0
check "... from stdin, resets elsewhere, another connection: exit 4" 4 \
    "$C/django.json" - '.' sh "$E/from-django.sh" -R r2.jsonl -c Nope
check "... a bad flag: exit 2" 2 '' '' 'usage: from-django.sh' \
    sh "$E/from-django.sh" -z
check "... a missing file: exit 3" 3 '' - 'nosuch.json' \
    sh "$E/from-django.sh" nosuch.json

# from-keycloak.sh
reset
mkdir export
cp "$C/keycloak-realm.json" export/demo-realm.json
cp "$C/keycloak-users-0.json" export/demo-users-0.json
check "from-keycloak.sh: an export directory" 1 '' - \
    'demo-realm.json:77:5: record 6: /email: no email' \
    sh "$E/from-keycloak.sh" -R kc.jsonl export
ok "... 6 users in the tenant" is "$(users)" 6
ok "... the reset list: argon2d and a federated user" \
    is "$(sed 's/.*"reason":"\([^"]*\)".*/\1/' kc.jsonl | tr '\n' ' ')" \
    "unsupported:argon2d no-hash "
ok "... the realm file's user logs in" is "$(login alice@example.com password)" 200
ok "... the per-user file's user logs in" is "$(login frank@example.com password)" 200
reset
check "... the per-user file alone" 0 '' - '^a0-convert: 1 user: 1 with' \
    sh "$E/from-keycloak.sh" -R kc.jsonl export/demo-users-0.json
ok "... one user inserted" grep -q '"inserted":1,' "$T/out"
check "... no input: exit 2" 2 '' '' 'usage: from-keycloak.sh' \
    sh "$E/from-keycloak.sh"
mkdir empty
check "... an empty directory: exit 3" 3 '' '' 'no .json file' \
    sh "$E/from-keycloak.sh" empty

done_testing
