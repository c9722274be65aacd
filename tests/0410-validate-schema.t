#!/bin/sh
# a0-validate against Auth0's own import schema (user-import-schema.json,
# JSON Schema Draft 4, checked by python3-jsonschema) on a few thousand
# generated and mutated records: every record the schema rejects,
# a0-validate rejects too; where a0-validate is stricter, every error it
# gives is one of the rules Auth0 leaves in prose.
. "${0%/*}/lib.sh"

PY=/usr/bin/python3
SCHEMA=$A0_REFERENCE/user-import-schema.json
[ -x "$PY" ] && "$PY" -c 'import jsonschema' 2>"$T/pyerr" ||
    skip_all "$PY lacks jsonschema"
[ -f "$SCHEMA" ] || skip_all "no $SCHEMA"

# Codes of the prose rules: the only ones allowed on a record the schema
# accepts.
PROSE='DUPLICATE_KEY PASSWORD_HASH_FORMAT PASSWORD_HASH_CONFLICT HASH_ENCODING
HASH_SALT HASH_FORMAT ENCODING_FORMAT ALGORITHM_REQUIRED SCRYPT_COST
MFA_FACTOR_EMPTY RESERVED_KEY METADATA_KEY FORMAT MAX_LENGTH MIN_LENGTH
MINIMUM DUPLICATED_USER'

cat > "$T/gen.py" <<'EOF'
# Generate records (seeded), judge each with the schema: writes
# records.ndjson and verdicts (one "0"/"1" line a record: schema-valid?).
import base64, hashlib, json, random, sys
import jsonschema

schema = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
rnd = random.Random(int(sys.argv[3]))
val = jsonschema.Draft4Validator(schema,
    format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)

def b64(b): return base64.b64encode(b).decode()
pw = hashlib.sha256(b'pw').digest()
BC = '$2b$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzABCDE'
HASHES = [
    {'algorithm': 'md5', 'hash': {'value': hashlib.md5(b'x').hexdigest(), 'encoding': 'hex'}},
    {'algorithm': 'sha1', 'hash': {'value': b64(hashlib.sha1(b'x').digest()), 'encoding': 'base64'},
     'salt': {'value': 'abc', 'position': 'suffix'}},
    {'algorithm': 'sha256', 'hash': {'value': pw.hex(), 'encoding': 'hex'}},
    {'algorithm': 'sha512', 'hash': {'value': hashlib.sha512(b'x').hexdigest(), 'encoding': 'hex'}},
    {'algorithm': 'md4', 'hash': {'value': hashlib.md5(b'y').hexdigest(), 'encoding': 'hex'}},
    {'algorithm': 'bcrypt', 'hash': {'value': BC, 'encoding': 'utf8'}},
    {'algorithm': 'argon2', 'hash': {'value': '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$' + b64(pw).rstrip('='), 'encoding': 'utf8'}},
    {'algorithm': 'pbkdf2', 'hash': {'value': '$pbkdf2-sha256$i=1000,l=32$c2FsdA$' + b64(pw).rstrip('='), 'encoding': 'utf8'}},
    {'algorithm': 'ldap', 'hash': {'value': '{SSHA}' + b64(hashlib.sha1(b'x').digest() + b'salt'), 'encoding': 'utf8'}},
    {'algorithm': 'hmac', 'hash': {'value': pw.hex(), 'encoding': 'hex', 'digest': 'sha256', 'key': {'value': 'k'}}},
    {'algorithm': 'scrypt', 'hash': {'value': b64(pw), 'encoding': 'base64'}, 'keylen': 32, 'cost': 16384,
     'blockSize': 8, 'parallelization': 1, 'salt': {'value': 'c2FsdA', 'encoding': 'base64'}},
]
FACTORS = [{'totp': {'secret': 'JBSWY3DPEHPK3PXP'}}, {'phone': {'value': '+14155550100'}},
           {'email': {'value': 'mfa@example.com'}}]

def base(i):
    r = {'email': 'user%d@example.com' % i}
    for k, v in [('email_verified', True), ('phone_number', '+1212555%04d' % (i % 10000)),
                 ('phone_verified', False), ('user_id', 'id%d' % i), ('username', 'user%d' % (i % 1000)),
                 ('given_name', 'Given'), ('family_name', 'Family'), ('name', 'Given Family'),
                 ('nickname', 'gf'), ('picture', 'https://example.com/p.png'), ('blocked', False),
                 ('app_metadata', {'plan': 'gold', 'roles': ['a', 'b']}),
                 ('user_metadata', {'theme': 'dark', 'n': {'deep': [1, {'x': None}]}})]:
        if rnd.random() < 0.4:
            r[k] = v
    c = rnd.random()
    if c < 0.15:
        r['password_hash'] = BC
    elif c < 0.6:
        r['custom_password_hash'] = json.loads(json.dumps(rnd.choice(HASHES)))
    if rnd.random() < 0.3:
        r['mfa_factors'] = [json.loads(json.dumps(rnd.choice(FACTORS)))
                            for _ in range(rnd.randint(1, 3))]
    return r

JUNK = [None, True, 0, -1, 1.5, 'x', '', 'NOT BASE32!', '+1', [], {}, [1], {'a': 1},
        'a@b', 'a.b@example.com', 32, 16384, 1000, 'hex', 'utf8', 'base64', 'md5',
        'sha3', 'prefix', 'middle', 'ucs2', '$', 'a.b', BC, 'JBSWY3DPEHPK3PXP']
KEYS = ['email', 'foo', 'value', 'encoding', 'secret', 'algorithm', 'hash', 'salt',
        'keylen', 'cost', 'digest', 'key', 'totp', 'phone', 'a.b', '$x', 'loginsCount',
        'password', 'position', 'blockSize', 'parallelization', 'password_hash',
        'custom_password_hash', 'mfa_factors', 'app_metadata', 'user_metadata', 'x']

def junk():
    return json.loads(json.dumps(rnd.choice(JUNK)))

def containers(v, path=()):
    yield path, v
    if isinstance(v, dict):
        for k in list(v):
            yield from containers(v[k], path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from containers(x, path + (i,))

def mutate(r):
    for _ in range(rnd.randint(1, 3)):
        spots = list(containers(r))
        path, node = rnd.choice(spots)
        m = rnd.random()
        if isinstance(node, dict) and node and m < 0.3:
            del node[rnd.choice(list(node))]
        elif isinstance(node, dict) and m < 0.6:
            node[rnd.choice(KEYS)] = junk()
        elif isinstance(node, list) and m < 0.5:
            if node and rnd.random() < 0.5:
                node.pop()
            else:
                node.extend(json.loads(json.dumps(node[:1] or [{}])) * rnd.randint(1, 10))
        elif path:
            parent = r
            for p in path[:-1]:
                parent = parent[p]
            parent[path[-1]] = junk()
    return r

with open('records.ndjson', 'w') as out, open('verdicts', 'w') as vd:
    for i in range(n):
        r = base(i)
        if rnd.random() < 0.75:
            r = mutate(r)
        if not isinstance(r, dict):
            r = {'email': r}
        out.write(json.dumps(r, ensure_ascii=rnd.random() < 0.5) + '\n')
        vd.write('%d\n' % val.is_valid(r))
EOF

cat > "$T/cmp.py" <<'EOF'
# Compare the verdicts with a0-validate's JSON Lines diagnostics.
import json, sys
prose = set(sys.argv[1].split())
verdicts = [int(l) for l in open('verdicts')]
errs = {}
for line in open('diag'):
    d = json.loads(line)
    if d['severity'] == 'error':
        errs.setdefault(d['record'], []).append(d['code'] + ' ' + d['pointer'])
missed, stricter, both, agree_ok, extra = [], [], 0, 0, 0
for i, ok in enumerate(verdicts, 1):
    e = errs.get(i, [])
    if not ok and not e:
        missed.append(i)
    elif ok and e:
        extra += 1
        bad = [x for x in e if x.split()[0] not in prose]
        if bad:
            stricter.append((i, bad))
    elif not ok:
        both += 1
    else:
        agree_ok += 1
print('%d %d %d %d' % (agree_ok, both, extra, len(verdicts)))
for i in missed[:10]:
    print('# schema rejects record %d, a0-validate accepts it' % i)
for i, bad in stricter[:10]:
    print('# record %d: schema accepts, a0-validate says %s' % (i, bad))
sys.exit(1 if missed or stricter else 0)
EOF

N=${A0_DIFF_RECORDS:-4000}
cd "$T" || exit 1
ok "generate $N records, judge them with the schema" \
    "$PY" gen.py "$SCHEMA" "$N" 20260101
check 'a0-validate judges them'		1 records.ndjson - '' \
    sh -c 'a0-validate -n --no-dup -f json 2> diag'
"$PY" cmp.py "$PROSE" > cmp.out
rc=$?
sed -n '2,$p' cmp.out
set -- $(sed -n 1p cmp.out)
echo "# both accept $1, both reject $2, a0-validate stricter $3, of $4"
ok 'schema rejects => a0-validate rejects; stricter only by prose rules' \
    test "$rc" -eq 0
ok 'the sample has records both ways' test "$1" -gt 100 -a "$2" -gt 100

done_testing
