#!/bin/sh
# 0960-convert-login: each worked example of reference/password-hashes.md,
# converted by a0-convert, imported into the emulator through a0-validate,
# a0-chunk and a0-submit, then logged in with its plaintext.  a0-convert's
# --check (libxcrypt, libsodium, OpenSSL) and the emulator's login (Python)
# are two implementations: both must accept every account, and refuse a
# wrong password.
. "${0%/*}/lib.sh"

command -v curl >/dev/null || skip_all "curl is not installed"
"$PYTHON" -c 'import bcrypt, argon2' 2>/dev/null ||
    skip_all "python3-bcrypt and python3-argon2 are needed"

C=$TOP/tests/convert
emu_start --job-seconds 0.1 || skip_all "emulator did not start"

# login EMAIL PASSWORD: the emulator's HTTP status for that login.
login() {
	"$PYTHON" -c 'import json, sys
print(json.dumps({"email": sys.argv[1], "password": sys.argv[2]}))' \
	    "$1" "$2" > "$T/login.json"
	curl -sS -o "$T/login.out" -w '%{http_code}' -H \
	    'Content-Type: application/json' --data-binary "@$T/login.json" \
	    "$EMU_URL/__emulator/login"
}

# pipeline ARGS...: a0-convert ARGS | a0-validate | a0-chunk | a0-submit
# into an emptied tenant; its status.
pipeline() {
	curl -sS -X POST "$EMU_URL/__emulator/reset" > /dev/null
	rm -rf "$T/chunks"
	a0-convert "$@" \
	    2> "$T/convert.err" | a0-validate 2> "$T/validate.err" |
	    a0-chunk -d "$T/chunks" | a0-submit -c \
	    Username-Password-Authentication > "$T/submit.out" 2>&1
}

# import NAME ACCOUNTS ARGS...: the pipeline with --check ACCOUNTS, then a
# login for each account.
import() {
	i_n=$1 i_a=$2
	shift 2
	pipeline --check "$i_a" -R "$T/$i_n.resets" "$@"
	ok "$i_n: imported" [ $? -eq 0 ]
	ok "... a0-validate found nothing to say" [ ! -s "$T/validate.err" ]
	ok "... a0-convert --check: every account ok" sh -c '
	    n=$(grep -c . "$1"); [ "$(grep -c ": ok$" "$2")" = "$n" ]' \
	    sh "$i_a" "$T/convert.err"
	i_bad=
	while IFS='	' read -r i_e i_p; do
		i_s=$(login "$i_e" "$i_p")
		[ "$i_s" = 200 ] || i_bad="$i_bad $i_e:$i_s"
		i_s=$(login "$i_e" "$i_p-wrong")
		[ "$i_s" = 401 ] || i_bad="$i_bad $i_e(wrong):$i_s"
	done < "$i_a"
	ok "... the emulator logs each account in, and refuses a wrong password" \
	    [ -z "$i_bad" ]
	[ -z "$i_bad" ] || echo "#   failed:$i_bad"
}

import django "$C/django.accounts" -f django "$C/django.json"
import keycloak "$C/keycloak.accounts" -f keycloak "$C/keycloak-realm.json" \
    "$C/keycloak-users-0.json"
import bcrypt "$C/bcrypt.accounts" -f csv --hash bcrypt "$C/bcrypt.csv"
A0_PEPPER=0123abcd
export A0_PEPPER
import devise "$C/devise.accounts" -f csv --hash devise \
    --map email=email,password=encrypted_password "$C/devise.csv"
unset A0_PEPPER
import aspnet "$C/aspnet.accounts" -f csv --hash aspnet \
    --map email=Email,password=PasswordHash "$C/aspnet.csv"
import spring "$C/spring.accounts" -f csv --hash spring "$C/spring.csv"
import phpass "$C/phpass.accounts" -f csv --hash phpass "$C/phpass.csv"
import crypt "$C/crypt.accounts" -f csv --hash crypt "$C/crypt.csv"
for a in md5 sha1 sha256 sha512; do
	grep -e '^email' -e ",$a\$" "$C/digest.csv" > "$T/$a.csv"
	grep "^$a@" "$C/digest.accounts" > "$T/$a.accounts"
	import "$a" "$T/$a.accounts" -f csv --hash "$a" \
	    --map email=email,password=hash,salt=salt "$T/$a.csv"
done
grep '^sha256@' "$C/digest.accounts" > "$T/suffix.accounts"
import sha256:suffix "$T/suffix.accounts" -f csv --hash sha256:suffix \
    --map email=email,password=hash,salt=salt "$C/digest-suffix.csv"
grep '^hexsalt@' "$C/digest.accounts" > "$T/hexsalt.accounts"
import sha256:prefix:hex "$T/hexsalt.accounts" -f csv \
    --hash sha256:prefix:hex --map email=email,password=hash,salt=salt \
    "$C/digest-hexsalt.csv"

# The users sent to reset are imported too, without a hash: no login.
pipeline -f firebase "$C/firebase.json"
ok "firebase: the users with an email imported" \
    [ "$(emu_get /__emulator/stats | sed -n 's/.*"users": *\([0-9]*\).*/\1/p')" = 2 ]
ok "... the scrypt user cannot log in until a reset" \
    [ "$(login user1@example.com user1password)" = 401 ]
ok "a login without a password is a 400" sh -c \
    '[ "$(curl -sS -o /dev/null -w "%{http_code}" -d "{}" "$1/__emulator/login")" = 400 ]' \
    sh "$EMU_URL"

done_testing
