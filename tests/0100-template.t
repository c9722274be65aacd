#!/bin/sh
# a0-template: the four templates, their names, -l, -n, exit statuses.
. "${0%/*}/lib.sh"

command -v jq > /dev/null || skip_all "jq not installed"

# ---- expected outputs ----
cat > "$T/basic.exp" <<'EOF'
[
    {
        "email": "john.doe@contoso.com",
        "email_verified": false,
        "app_metadata": {
            "roles": [
                "admin"
            ],
            "plan": "premium"
        },
        "user_metadata": {
            "theme": "light"
        }
    }
]
EOF
printf '[\n\n]\n' > "$T/empty.exp"
printf '[]\n' > "$T/none.exp"
printf 'empty\tEmpty\nbasic\tBasic Example\ncustom-password-hash\tCustom Password Hash Example\nmfa\tMFA Factors Example\n' > "$T/list.exp"
echo "a0-template $(sed -n 's/^#define A0_VERSION.*"\(.*\)"/\1/p' \
    "$TOP/common/a0.h")" > "$T/version.exp"
cat > "$T/usage.exp" <<'EOF'
usage: a0-template [-l] [-n count] [name]

  -l, --list               list the templates' names (default: print one)
  -n, --count count        make count numbered users (default: the template's)
  -h, --help               print this help and exit
  -V, --version            print the version and exit
EOF
cat > "$T/n2.exp" <<'EOF'
[
    {
        "email": "user000001@example.com",
        "username": "user000001",
        "user_id": "user000001",
        "email_verified": false,
        "app_metadata": {
            "roles": [
                "admin"
            ],
            "plan": "premium"
        },
        "user_metadata": {
            "theme": "light"
        }
    },
    {
        "email": "user000002@example.com",
        "username": "user000002",
        "user_id": "user000002",
        "email_verified": false,
        "app_metadata": {
            "roles": [
                "admin"
            ],
            "plan": "premium"
        },
        "user_metadata": {
            "theme": "light"
        }
    }
]
EOF
# Field sets (every leaf's path), one user a line, as auth0-cli has them.
cat > "$T/custom.fields" <<'EOF'
["email","email_verified","custom_password_hash.algorithm","custom_password_hash.hash.value","custom_password_hash.hash.encoding"]
["email","email_verified","custom_password_hash.algorithm","custom_password_hash.hash.value","custom_password_hash.hash.encoding","custom_password_hash.salt.value","custom_password_hash.salt.position"]
["email","email_verified","custom_password_hash.algorithm","custom_password_hash.hash.value"]
["email","email_verified","custom_password_hash.algorithm","custom_password_hash.hash.value"]
["email","email_verified","custom_password_hash.algorithm","custom_password_hash.hash.value","custom_password_hash.hash.encoding"]
["email","email_verified","custom_password_hash.algorithm","custom_password_hash.hash.value"]
["email","email_verified","custom_password_hash.algorithm","custom_password_hash.hash.value","custom_password_hash.hash.encoding"]
["email","email_verified","custom_password_hash.algorithm","custom_password_hash.hash.value","custom_password_hash.hash.encoding","custom_password_hash.hash.digest","custom_password_hash.hash.key.value","custom_password_hash.hash.key.encoding"]
EOF
cat > "$T/mfa.fields" <<'EOF'
["email","mfa_factors.0.totp.secret","mfa_factors.1.phone.value","mfa_factors.2.email.value"]
["email","mfa_factors.0.totp.secret"]
["email","mfa_factors.0.phone.value"]
["email","mfa_factors.0.email.value"]
EOF
# Algorithm, encoding and the format Auth0's rules give each hash value.
cat > "$T/custom.rules" <<'EOF'
md4 base64 true
sha256 hex true
bcrypt - true
argon2 - true
pbkdf2 utf8 true
pbkdf2 - true
ldap utf8 true
hmac base64 true
EOF
cat > "$T/rules.jq" <<'EOF'
.[] | .custom_password_hash | .algorithm as $a | .hash as $h |
"\($a) \($h.encoding // "-") \(
	if $a == "md4" then $h.value | test("^[A-Za-z0-9+/]{22}==$")
	elif $a == "sha256" then ($h.value | test("^[0-9a-f]{64}$")) and
	    (.salt.value | length > 0) and .salt.position == "prefix"
	elif $a == "bcrypt" then $h.value | test("^\\$2b\\$10\\$[./A-Za-z0-9]{53}$")
	elif $a == "argon2" then $h.value |
	    test("^\\$argon2id\\$v=19\\$m=[0-9]+,t=[0-9]+,p=[0-9]+\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+$")
	elif $a == "pbkdf2" then $h.value |
	    test("^\\$pbkdf2-sha(256|512)\\$i=[0-9]+,l=[0-9]+\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+$")
	elif $a == "ldap" then $h.value | test("^\\{SSHA384\\}[A-Za-z0-9+/]{75}=$")
	elif $a == "hmac" then ($h.value | test("^[A-Za-z0-9+/]{27}=$")) and
	    $h.digest == "sha1" and $h.key.encoding == "hex" and
	    ($h.key.value | test("^([0-9a-f]{2})+$"))
	else false end)"
EOF
printf 'true\n' > "$T/true.exp"
FIELDS='.[] | [paths(type | . != "object" and . != "array") | map(tostring) | join(".")]'
MFAOK='all(.[].mfa_factors[]; length == 1 and
    (if .totp then .totp.secret | test("^[A-Z2-7]+$")
     elif .phone then .phone.value | test("^\\+[0-9]{1,15}$")
     else .email.value | test("^[^@]+@[^@]+$") end))'

# ---- the templates and their names ----
check 'default is basic'		0 '' "$T/basic.exp" ''	a0-template
check 'basic by alias'			0 '' "$T/basic.exp" ''	a0-template basic
check 'basic by full name'		0 '' "$T/basic.exp" ''	a0-template 'Basic Example'
check 'names are case-insensitive'	0 '' "$T/basic.exp" ''	a0-template 'BASIC example'
check 'empty template'			0 '' "$T/empty.exp" ''	a0-template Empty
check 'empty template is valid JSON'	0 '' "$T/none.exp" ''	sh -c 'a0-template empty | jq -c .'
check '-l lists alias and name'		0 '' "$T/list.exp" ''	a0-template -l
check '--list'				0 '' "$T/list.exp" ''	a0-template --list
check 'custom hash field sets'		0 '' "$T/custom.fields" ''	sh -c "a0-template 'custom password hash example' | jq -c '$FIELDS'"
check 'custom hash values follow the rules'	0 '' "$T/custom.rules" ''	sh -c "a0-template custom-password-hash | jq -r -f '$T/rules.jq'"
check 'mfa field sets'			0 '' "$T/mfa.fields" ''	sh -c "a0-template 'MFA Factors Example' | jq -c '$FIELDS'"
check 'mfa factors are Base32, E.164, email'	0 '' "$T/true.exp" ''	sh -c "a0-template mfa | jq '$MFAOK'"
for t in basic custom-password-hash mfa; do
	check "$t is JSON as jq --indent 4 prints it"	0 '' '' ''	sh -c "a0-template $t > '$T/$t.json' && jq --indent 4 . '$T/$t.json' | cmp - '$T/$t.json'"
done

# The hashes are of the password the manual gives (md4 and argon2 lack a
# standard library implementation to check them with).
cat > "$T/hashes.py" <<'EOF'
import base64, hashlib, hmac, json, sys
pw = b"Example-Passw0rd"
def b64(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))
for u in json.load(sys.stdin):
    c = u["custom_password_hash"]
    a, v = c["algorithm"], c["hash"]["value"]
    if a == "sha256":
        ok = hashlib.sha256(c["salt"]["value"].encode() + pw).hexdigest() == v
    elif a == "pbkdf2":
        d, p, s, h = v.split("$")[1:]
        i, l = [int(x.split("=")[1]) for x in p.split(",")]
        ok = hashlib.pbkdf2_hmac(d[7:], pw, b64(s), i, l) == b64(h)
    elif a == "ldap":
        raw = base64.b64decode(v[9:])
        ok = hashlib.sha384(pw + raw[48:]).digest() == raw[:48]
    elif a == "hmac":
        k = bytes.fromhex(c["hash"]["key"]["value"])
        ok = hmac.new(k, pw, "sha1").digest() == base64.b64decode(v)
    else:
        continue
    print(a, ok)
EOF
printf 'sha256 True\npbkdf2 True\npbkdf2 True\nldap True\nhmac True\n' > "$T/hashes.exp"
if command -v python3 > /dev/null; then
	check 'hashes are of the documented password'	0 '' "$T/hashes.exp" ''	sh -c "a0-template custom-password-hash | python3 '$T/hashes.py'"
else
	skip 'python3 not installed'
fi

# Auth0's import schema, where a Draft-4 validator is at hand.
cat > "$T/schema.py" <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft4Validator(schema,
    format_checker=jsonschema.FormatChecker())
users = json.load(sys.stdin)
bad = [e.message for u in users for e in v.iter_errors(u)]
print(len(users), "users", bad)
EOF
SCHEMA=$A0_REFERENCE/user-import-schema.json
if [ -f "$SCHEMA" ] && /usr/bin/python3 -c 'import jsonschema' 2>&1 | grep -q .; then
	skip 'python3-jsonschema not installed'
elif [ -f "$SCHEMA" ]; then
	for c in 'basic 1' 'custom-password-hash 8' 'mfa 4' \
	    '-n 9 custom-password-hash 9' '-n 9 mfa 9' '-n 3 basic 3'; do
		set -- $c
		n=$(eval "echo \${$#}")
		echo "$n users []" > "$T/schema.exp"
		args=$(echo "$c" | sed 's/ [0-9]*$//')
		check "schema: $args"	0 '' "$T/schema.exp" ''	sh -c "a0-template $args | /usr/bin/python3 '$T/schema.py' '$SCHEMA'"
	done
else
	skip "no $SCHEMA"
fi

# ---- -n: synthetic users ----
check '-n 2 basic'			0 '' "$T/n2.exp" ''	a0-template -n 2 basic
check '-n 0 is an empty array'		0 '' "$T/none.exp" ''	a0-template -n 0
check '-n 0 empty'			0 '' "$T/none.exp" ''	a0-template -n 0 empty
echo 1000 > "$T/1000.exp"
for key in email username user_id; do
	check "-n 1000 gives 1000 distinct ${key}s"	0 '' "$T/1000.exp" ''	sh -c "a0-template -n 1000 mfa | jq '[.[].$key] | unique | length'"
done
echo 1024 > "$T/1024.exp"
check '-n 1K is 1024 users'		0 '' "$T/1024.exp" ''	sh -c 'a0-template -n 1K | jq length'
printf '8\n8\n' > "$T/cycle.exp"
check '-n cycles the template users'	0 '' "$T/cycle.exp" ''	sh -c "a0-template -n 16 custom-password-hash | jq '[.[].custom_password_hash] | (unique | length), (.[:8] == .[8:] | if . then 8 else 0 end)'"
check '-n keeps the template fields'	0 '' "$T/true.exp" ''	sh -c "a0-template -n 4 mfa | jq -c '[.[] | del(.email, .username, .user_id) | .mfa_factors |= map(del(.email))]' > '$T/syn'; a0-template mfa | jq -c '[.[] | del(.email) | .mfa_factors |= map(del(.email))]' | cmp -s - '$T/syn' && echo true"
cat > "$T/seven.exp" <<'EOF'
        "email": "user999999@example.com",
        "user_id": "user1000000",
        "email": "user1000001@example.com",
EOF
check 'numbers grow past six digits'	0 '' "$T/seven.exp" ''	sh -c 'a0-template -n 1000001 | tail -n 45 | grep -E "\"(email|user_id)\": \"user(999999@|1000000\"|1000001@)"'
head -c 100 "$T/n2.exp" > "$T/head.exp"
check 'closed pipe ends it promptly'	0 '' "$T/head.exp" ''	timeout 20 sh -c 'a0-template -n 100000000 | head -c 100'

# ---- usage, version, errors ----
check '-h prints usage'			0 '' "$T/usage.exp" ''	a0-template -h
check '--help prints usage'		0 '' "$T/usage.exp" ''	a0-template --help
check '-V prints the version'		0 '' "$T/version.exp" ''	a0-template -V
check 'unknown flag'			2 '' '' 'usage: a0-template'	a0-template -x
check 'unknown template'		2 '' '' '^a0-template: nope: unknown template'	a0-template nope
check 'two names'			2 '' '' 'usage: a0-template'	a0-template basic mfa
check '-l with a name'			2 '' '' 'usage: a0-template'	a0-template -l basic
check '-l with -n'			2 '' '' 'usage: a0-template'	a0-template -l -n 3
check '-n not a number'			2 '' '' '^a0-template: -n abc: invalid'	a0-template -n abc
check '-n negative'			2 '' '' '^a0-template: -n -1: invalid'	a0-template -n -1
check '-n too large'			2 '' '' '^a0-template: -n 1000000000: too large'	a0-template -n 1000000000
check '-n with the empty template'	2 '' '' '^a0-template: empty: -n needs a template with users'	a0-template -n 5 empty
check 'full disk'			3 '' '' '^a0-template: stdout: No space left'	sh -c 'a0-template > /dev/full'
check 'full disk with -n'		3 '' '' '^a0-template: stdout: No space left'	sh -c 'a0-template -n 100000 > /dev/full'

done_testing
