#!/bin/sh
# a0-convert: every format and hash scheme, the worked examples of
# reference/password-hashes.md as fixtures (tests/convert/), the reset
# list, --check, and each exit status.
. "${0%/*}/lib.sh"

C=$TOP/tests/convert
SUM='^a0-convert: [0-9]+ users?: '

# Usage errors: exit 2, nothing on stdout.
check "no -f" 2 '' '' 'usage: a0-convert -f' a0-convert "$C/django.json"
check "-f unknown" 2 '' '' '-f ldif: not django' a0-convert -f ldif
check "--hash unknown" 2 '' '' '--hash md6: unknown scheme' \
    a0-convert -f csv --hash md6
check "--hash md5:middle" 2 '' '' 'unknown scheme' \
    a0-convert -f csv --hash md5:middle
check "--map is for csv" 2 '' '' '--map and --hash are for -f csv' \
    a0-convert -f django --map email=x "$C/django.json"
check "--pepper is for devise" 2 '' '' '--pepper is for --hash devise' \
    a0-convert -f csv --hash bcrypt --pepper "$C/devise.pepper"
check "--map names a field a0-convert does not know" 2 "$C/bcrypt.csv" '' \
    '--map: mail: not a field a0-convert knows' a0-convert -f csv --map mail=email
check "--map names a column the header lacks" 2 "$C/bcrypt.csv" '' \
    '--map: email=Mail: no column Mail in -' \
    a0-convert -f csv --map email=Mail
check "no email column" 2 "$C/aspnet.csv" '' 'no email column' \
    a0-convert -f csv --hash aspnet
check "a password column without --hash" 2 "$C/bcrypt.csv" '' \
    'a password column needs --hash' a0-convert -f csv
check "a salt column without a digest scheme" 2 "$C/digest.csv" '' \
    'a salt column needs --hash md5' \
    a0-convert -f csv --hash bcrypt --map email=email,password=hash,salt=salt
check "--pepper file missing" 2 '' '' "$T/nopepper: No such file" \
    a0-convert -f csv --hash devise --pepper "$T/nopepper"
check "--check file missing" 2 '' '' 'nonexistent' \
    a0-convert -f django --check "$T/nonexistent" "$C/django.json"
printf 'no tab here\n' > "$T/badaccounts"
check "--check line without a tab" 2 '' '' 'badaccounts:1: not email<TAB>plaintext' \
    a0-convert -f django --check "$T/badaccounts" "$C/django.json"
check "-h" 0 '' - '' a0-convert -h
ok "... prints the synopsis" grep -q '^usage: a0-convert -f django|keycloak|firebase|csv' "$T/out"
check "-V" 0 '' - '' a0-convert -V

# Each format against its expected records and reset list.
conv() {	# DESC STATUS NAME ERRPAT ARGS...
	c_d=$1 c_s=$2 c_n=$3 c_e=$4
	shift 4
	check "$c_d" "$c_s" '' "$C/$c_n.out" "$c_e" a0-convert -R "$T/$c_n.resets" "$@"
	if [ -f "$C/$c_n.resets" ]; then
		ok "... its reset list" cmp -s "$C/$c_n.resets" "$T/$c_n.resets"
	fi
	ok "... every record passes a0-validate" a0-validate -n "$C/$c_n.out"
}
conv "django: dumpdata, every Django hasher" 1 django \
    'django.json:16:1: record 15: /email: no email' -f django "$C/django.json"
ok "... the summary counts users by outcome" grep -Eq \
    "$SUM"'10 with a password hash, 5 to reset \(1 unsupported:argon2-no-version, 1 unsupported:bcrypt_sha256, 1 unusable, 1 unsupported:crypt-des, 1 no-hash\); 1 bad row$' \
    "$T/err"
ok "... the reset list is mode 0600" \
    sh -c 'ls -l "$1" | grep -q "^-rw-------"' sh "$T/django.resets"
ok "... a username that is an email is kept in app_metadata" \
    grep -q '"source_username":"jane.doe@example.com"' "$C/django.out"
conv "keycloak: realm file and a per-user file" 1 keycloak \
    'keycloak-realm.json:77:5: record 6: /email: no email' \
    -f keycloak "$C/keycloak-realm.json" "$C/keycloak-users-0.json"
conv "firebase: auth:export, scrypt users to reset" 1 firebase \
    'firebase.json:4:3: record 3: /email: no email' \
    -f firebase "$C/firebase.json"
conv "csv bcrypt: \$2a\$ \$2b\$ \$2y\$ and PHP's argon2id" 0 bcrypt \
    "$SUM"'4 with a password hash, 3 to reset \(1 unsupported:bcrypt-2x, 1 malformed-hash, 1 no-hash\); 0 bad rows$' \
    -f csv --hash bcrypt "$C/bcrypt.csv"
ok "... user_metadata from a column, left out when empty" \
    sh -c 'grep -c "\"user_metadata\":{\"plan\":" "$1" | grep -qx 2 &&
    [ "$(grep -c user_metadata "$1")" = 2 ]' sh "$C/bcrypt.out"
conv "csv aspnet: Identity v2 and v3, columns by --map" 1 aspnet \
    'aspnet.csv:7: row 6: /email_verified: not true or false' -f csv \
    --hash aspnet --map email=Email,password=PasswordHash,user_id=Id \
    --map username=UserName,email_verified=EmailConfirmed,phone_number=PhoneNumber \
    "$C/aspnet.csv"
conv "csv crypt: \$1\$ \$5\$ \$6\$ \$y\$ DES to reset, NT and bcrypt kept" 0 \
    crypt "$SUM"'2 with a password hash, 5 to reset' -f csv --hash crypt \
    "$C/crypt.csv"
conv "csv phpass: WordPress and Drupal" 0 phpass \
    "$SUM"'2 with a password hash, 3 to reset \(1 unsupported:phpass, 1 unsupported:drupal-sha512, 1 unsupported:wordpress-bcrypt\)' \
    -f csv --hash phpass "$C/phpass.csv"
check "csv spring: every {id}" 0 "$C/spring.csv" - \
    "$SUM"'7 with a password hash, 2 to reset \(1 unsupported:spring-sha256, 1 unsupported:unknown-format\)' \
    a0-convert -f csv --hash spring
ok "... the same records ({noop} hashed here, at random)" \
    sh -c 'grep -v noop "$1" | cmp -s - "$2"' sh "$T/out" "$C/spring.out"
ok "... {noop} became a bcrypt hash at cost 10" \
    grep -q '"noop@example.com".*"algorithm":"bcrypt","hash":{"value":"\$2b\$10\$' "$T/out"
check "csv none: every user to reset" 0 "$C/phpass.csv" - \
    "$SUM"'0 with a password hash, 5 to reset \(5 no-hash\)' \
    a0-convert -f csv --hash none
check "csv devise without a pepper: bcrypt as it is" 0 "$C/devise.csv" - \
    "$SUM" a0-convert -f csv --hash devise \
    --map email=email,password=encrypted_password
ok "... no salt" sh -c '! grep -q salt "$1"' sh "$T/out"

# --check: the worked examples recomputed as Auth0 would.
checked() {	# DESC STATUS ACCOUNTS N ARGS...
	k_d=$1 k_s=$2 k_a=$3 k_n=$4
	shift 4
	check "$k_d" "$k_s" '' - "$SUM" a0-convert --check "$C/$k_a" "$@"
	ok "... $k_n accounts ok" sh -c \
	    '[ "$(grep -c ": ok$" "$1")" = "$2" ] && ! grep -q mismatch "$1"' \
	    sh "$T/err" "$k_n"
}
checked "--check django" 1 django.accounts 10 -f django "$C/django.json"
checked "--check keycloak" 1 keycloak.accounts 4 -f keycloak \
    "$C/keycloak-realm.json" "$C/keycloak-users-0.json"
checked "--check csv bcrypt" 0 bcrypt.accounts 4 -f csv --hash bcrypt \
    "$C/bcrypt.csv"
checked "--check csv devise, pepper from a file" 0 devise.accounts 1 -f csv \
    --hash devise --pepper "$C/devise.pepper" \
    --map email=email,password=encrypted_password "$C/devise.csv"
A0_PEPPER=0123abcd
export A0_PEPPER
checked "--check csv devise, pepper from A0_PEPPER" 0 devise.accounts 1 \
    -f csv --hash devise --map email=email,password=encrypted_password \
    "$C/devise.csv"
unset A0_PEPPER
checked "--check csv aspnet" 0 aspnet.accounts 3 -f csv --hash aspnet \
    --map email=Email,password=PasswordHash "$C/aspnet.csv"
checked "--check csv spring" 0 spring.accounts 7 -f csv --hash spring \
    "$C/spring.csv"
checked "--check csv phpass" 0 phpass.accounts 2 -f csv --hash phpass \
    "$C/phpass.csv"
checked "--check csv crypt (md4 of UTF-16LE)" 0 crypt.accounts 2 -f csv \
    --hash crypt "$C/crypt.csv"
for a in md5 sha1 sha256 sha512; do
	grep -e '^email' -e ",$a\$" "$C/digest.csv" > "$T/$a.csv"
	grep "^$a@" "$C/digest.accounts" > "$T/$a.accounts"
	check "--check csv $a, salt prefix" 0 '' - "$SUM" a0-convert -f csv \
	    --hash "$a" --map email=email,password=hash,salt=salt \
	    --check "$T/$a.accounts" "$T/$a.csv"
	ok "... ok" grep -q "$a@example.com: ok" "$T/err"
done
grep '^sha256@' "$C/digest.accounts" > "$T/suffix.accounts"
check "--check csv sha256:suffix, hash in base64" 0 '' - "$SUM" \
    a0-convert -f csv --hash sha256:suffix --check "$T/suffix.accounts" \
    --map email=email,password=hash,salt=salt "$C/digest-suffix.csv"
ok "... ok" grep -q 'sha256@example.com: ok' "$T/err"
grep '^hexsalt@' "$C/digest.accounts" > "$T/hexsalt.accounts"
check "--check csv sha256:prefix:hex" 0 '' - "$SUM" \
    a0-convert -f csv --hash sha256:prefix:hex --check "$T/hexsalt.accounts" \
    --map email=email,password=hash,salt=salt "$C/digest-hexsalt.csv"

# --check failures name the field at fault, and exit 1.
check "--check: a wrong salt position" 1 '' - \
    'suffix.accounts:1: sha256@example.com: mismatch: custom_password_hash.salt.position' \
    a0-convert -f csv --hash sha256 --check "$T/suffix.accounts" \
    --map email=email,password=hash,salt=salt "$C/digest-suffix.csv"
check "--check: a wrong salt encoding" 1 '' - \
    'hexsalt@example.com: mismatch: custom_password_hash.salt.encoding' \
    a0-convert -f csv --hash sha256 --check "$T/hexsalt.accounts" \
    --map email=email,password=hash,salt=salt "$C/digest-hexsalt.csv"
printf 'pbkdf2-sha256@example.com\tletmein\n' > "$T/wrong.accounts"
check "--check: a wrong plaintext" 1 '' - \
    'wrong.accounts:1: pbkdf2-sha256@example.com: mismatch: custom_password_hash.hash.value' \
    a0-convert -f django --check "$T/wrong.accounts" "$C/django.json"
printf 'nobody@example.com\tx\n' > "$T/absent.accounts"
check "--check: an account not in the input" 1 "$C/devise.csv" - \
    'absent.accounts:1: nobody@example.com: not in the input' \
    a0-convert -f csv --hash devise --map email=email,password=encrypted_password \
    --check "$T/absent.accounts"
printf 'wordpress@example.com\ttest12345\n' > "$T/wp.accounts"
check "--check: an account sent to reset" 1 "$C/phpass.csv" - \
    'wordpress@example.com: no hash to check \(unsupported:phpass\)' \
    a0-convert -f csv --hash phpass --check "$T/wp.accounts"

# Malformed input: rows are reported with their line, the run goes on.
printf 'email,password,given_name\na@example.com,,"two\nlines"\nb@example.com,,x,extra\nc@example.com,,"x"\n' > "$T/rows.csv"
printf '{"email":"a@example.com","given_name":"two\\nlines","app_metadata":{"source":"csv"}}\n{"email":"c@example.com","given_name":"x","app_metadata":{"source":"csv"}}\n' > "$T/rows.out"
check "csv: a row with a field too many, after a two-line row" 1 "$T/rows.csv" \
    "$T/rows.out" '^-:4: row 2: 4 fields, the header has 3$' \
    a0-convert -f csv --hash none
printf 'email,given_name\na@example.com,"open\nb@example.com,x\n' > "$T/quote.csv"
check "csv: a quoted field never closed" 3 "$T/quote.csv" - \
    'quote.csv:2: malformed CSV: a quoted field never closed$' a0-convert -f csv "$T/quote.csv"
printf 'email,given_name\na@example.com,ab"c\nb@example.com,"x"y\nc@example.com,"two\nlines"\nd@example.com,x"\n' > "$T/quotes.csv"
check "csv: quotes out of place, each row reported, the rest converted" 1 \
    "$T/quotes.csv" - '^-:3: row 2: malformed CSV: a quote out of place$' \
    a0-convert -f csv
ok "... every one of them" sh -c '[ "$(grep -c "a quote out of place" "$1")" = 3 ] &&
    grep -q "^-:2: row 1: " "$1" && grep -q "^-:6: row 4: " "$1"' sh "$T/err"
ok "... the good row is kept" sh -c '[ "$(grep -c . "$1")" = 1 ] &&
    grep -q "^{\"email\":\"c@example.com\",\"given_name\":\"two\\\\nlines\"" "$1"' sh "$T/out"
printf 'em"ail\na@example.com\n' > "$T/header.csv"
check "csv: a malformed header" 3 "$T/header.csv" '' \
    '^a0-convert: -:1: malformed CSV header$' a0-convert -f csv
printf 'email\r\na@example.com\r\n\r\nbad\r\n' > "$T/crlf.csv"
check "csv: CRLF lines, a blank line, and an email a0-validate refuses" 1 \
    "$T/crlf.csv" - '^-:4: row 2: /email: FORMAT: not a valid email address' \
    a0-convert -f csv
ok "... the good row is kept" grep -q '^{"email":"a@example.com"' "$T/out"
# Each value taken from the source is checked by the schema's rule for
# it; one that breaks a rule is a bad row, reported as a0-validate would.
printf 'email,given_name,plan\na@example.com,\377x,p\nb@example.com,x,\300\257\nc@example.com,Zo\303\253,p\nd@example.com,x\303,\253\n' > "$T/utf8.csv"
check "csv: fields that are not UTF-8 are bad rows" 1 "$T/utf8.csv" - \
    '^-:2: row 1: /given_name: not valid UTF-8$' a0-convert -f csv \
    --map email=email,given_name=given_name,user_metadata.plan=plan
ok "... with their lines" grep -q \
    '^-:3: row 2: /user_metadata/plan: not valid UTF-8$' "$T/err"
ok "... a character split between two fields" grep -q \
    '^-:5: row 4: /given_name: not valid UTF-8$' "$T/err"
ok "... the good row is kept, and passes a0-validate" sh -c '
    [ "$(grep -c . "$1")" = 1 ] && grep -q "^{\"email\":\"c@example.com\"" "$1" &&
    a0-validate -n "$1"' sh "$T/out"
e150=$(awk 'BEGIN { for (i = 0; i < 150; i++) printf "\303\251" }')
u150=$(awk 'BEGIN { for (i = 0; i < 75; i++) printf "\360\237\230\200" }')
printf 'email,given_name,family_name,phone,k1,k2\n' > "$T/rules.csv"
printf 'a@example.com,%s,%s,+15551234567,x,\n' "$e150" "$u150" >> "$T/rules.csv"
printf 'b@example.com,%se,x,,,\n' "$e150" >> "$T/rules.csv"
printf 'c@example.com,x,%s\360\237\230\200,,,\n' "$u150" >> "$T/rules.csv"
printf 'd@example.com,x,x,555-1234,,\n' >> "$T/rules.csv"
printf 'e@example.com,x,x,,x,y\n' >> "$T/rules.csv"
printf 'f@example..com,x,x,,,\n' >> "$T/rules.csv"
check "csv: values against the schema's rules, by UTF-16 length" 1 \
    "$T/rules.csv" - \
    '^-:3: row 2: /given_name: MAX_LENGTH: 151 characters, more than 150$' \
    a0-convert -f csv --map email=email,given_name=given_name \
    --map family_name=family_name,phone_number=phone \
    --map user_metadata.k=k1,user_metadata.k=k2
ok "... a four-byte character counts two" grep -q \
    '^-:4: row 3: /family_name: MAX_LENGTH: 152 characters, more than 150$' \
    "$T/err"
ok "... a phone number that is not E.164" grep -q \
    '^-:5: row 4: /phone_number: FORMAT: not an E.164' "$T/err"
ok "... a metadata key given twice" grep -q \
    '^-:6: row 5: /user_metadata/k: DUPLICATE_KEY' "$T/err"
ok "... an email address" grep -q \
    '^-:7: row 6: /email: FORMAT: not a valid email address' "$T/err"
ok "... the row at the limits is kept, and passes a0-validate" sh -c '
    [ "$(grep -c . "$1")" = 1 ] && grep -q "^{\"email\":\"a@example.com\"" "$1" &&
    a0-validate -n "$1"' sh "$T/out"
printf '[{"model":"auth.user","pk":1,"fields":{"email":"a@example.com"}},\n {"model": tru}]\n' > "$T/bad.json"
check "django: malformed JSON stops the run" 3 "$T/bad.json" - \
    '^a0-convert: -:2:' a0-convert -f django -R "$T/partial.jsonl"
ok "... after the records before it" grep -q '"a@example.com"' "$T/out"
ok "... no reset file, even under a temporary name" \
    sh -c '! ls "$1"/partial.jsonl* > /dev/null 2>&1' sh "$T"
printf '[{"model":"auth.user","pk":1}]\n' > "$T/nofields.json"
check "django: a record that is not a user" 1 "$T/nofields.json" '' \
    '^-:1:2: record 1: not a dumpdata record' a0-convert -f django
check "an unreadable input" 3 '' '' "$T/missing.csv: No such file" \
    a0-convert -f csv "$T/missing.csv"
if [ -w /dev/full ]; then
	check "stdout on a full disk" 3 "$C/django.json" - 'stdout' \
	    sh -c 'a0-convert -f django > /dev/full'
fi
check "the reset file cannot be created" 3 "$C/django.json" '' \
    "$T/no/such/dir" a0-convert -f django -R "$T/no/such/dir"

done_testing
