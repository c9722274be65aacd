#!/bin/sh
# a0-chunk: packing, limits, naming, input errors, output errors.
. "${0%/*}/lib.sh"

command -v jq > /dev/null || skip_all "jq not installed"

# ck ARGS...: run a0-chunk ARGS in an empty directory W, then show every
# file left there (name, permissions, contents), temporary files too.
W=$T/w
export T W
cat > "$T/ck" <<'EOF'
rm -rf "$W" && mkdir "$W" && cd "$W" || exit 99
a0-chunk "$@"
rc=$?
find . -type f | sort | while read -r f; do
	echo "== $f $(ls -l "$f" | cut -c1-10)"
	cat "$f"
done
exit $rc
EOF
CK="sh $T/ck"

# ---- inputs ----
cat > "$T/in.json" <<'EOF'
[
  {"email": "a@example.com", "name": "A  \"q\"  \u00e9\/ é"},
  {"email": "b@example.com", "n": [1, 2.5E+3, -0, true, null]},
  {
    "email": "c@example.com",
    "user_metadata": { "k": "x y" }
  }
]
EOF
# The same records as a sequence of objects (NDJSON).
sed -n 's/^  \({.*}\),$/\1/p' "$T/in.json" > "$T/in.ndjson"
printf '{"email": "c@example.com", "user_metadata": {"k": "x y"}}\n' \
    >> "$T/in.ndjson"
printf '' > "$T/zero.json"
printf '[]\n' > "$T/brackets.json"
printf ' \n\t\n' > "$T/blank.json"
printf '[{"a":1},{"b":2},{"c":]' > "$T/bad3.json"
printf '[1,2]' > "$T/notobj.json"
printf '42' > "$T/scalar.json"
printf '[{"a":1},]' > "$T/trailing.json"
printf '[\n{"a":1},\n{"b":"long long"}\n]\n' > "$T/long.json"
printf '[{"a":1},{"b":2}] x' > "$T/after.json"

# ---- expected outputs ----
cat > "$T/all.exp" <<'EOF'
chunk-000001.json
== ./chunk-000001.json -rw-------
[{"email":"a@example.com","name":"A  \"q\"  \u00e9\/ é"},{"email":"b@example.com","n":[1,2.5E+3,-0,true,null]},{"email":"c@example.com","user_metadata":{"k":"x y"}}]
EOF
cat > "$T/keep.exp" <<'EOF'
chunk-000001.json
== ./chunk-000001.json -rw-------
[{"email": "a@example.com", "name": "A  \"q\"  \u00e9\/ é"},{"email": "b@example.com", "n": [1, 2.5E+3, -0, true, null]},{
    "email": "c@example.com",
    "user_metadata": { "k": "x y" }
  }]
EOF
cat > "$T/n2.exp" <<'EOF'
chunk-000001.json
chunk-000002.json
== ./chunk-000001.json -rw-------
[{"email":"a@example.com","name":"A  \"q\"  \u00e9\/ é"},{"email":"b@example.com","n":[1,2.5E+3,-0,true,null]}]
== ./chunk-000002.json -rw-------
[{"email":"c@example.com","user_metadata":{"k":"x y"}}]
EOF
cat > "$T/n1.exp" <<'EOF'
chunk-000001.json
chunk-000002.json
chunk-000003.json
== ./chunk-000001.json -rw-------
[{"email":"a@example.com","name":"A  \"q\"  \u00e9\/ é"}]
== ./chunk-000002.json -rw-------
[{"email":"b@example.com","n":[1,2.5E+3,-0,true,null]}]
== ./chunk-000003.json -rw-------
[{"email":"c@example.com","user_metadata":{"k":"x y"}}]
EOF
cat > "$T/dir.exp" <<'EOF'
out/users-000001.json
out/users-000002.json
== ./out/users-000001.json -rw-------
[{"email":"a@example.com","name":"A  \"q\"  \u00e9\/ é"},{"email":"b@example.com","n":[1,2.5E+3,-0,true,null]}]
== ./out/users-000002.json -rw-------
[{"email":"c@example.com","user_metadata":{"k":"x y"}}]
EOF
sed 's,^out/,out//,' "$T/dir.exp" > "$T/dirslash.exp"
printf 'chunk-000001.json\0chunk-000002.json\0chunk-000003.json\0' > "$T/nul.exp"
sed 1,3d "$T/n1.exp" >> "$T/nul.exp"
# With -n a chunk is written as soon as it holds count records.
cat > "$T/bad3.exp" <<'EOF'
chunk-000001.json
chunk-000002.json
== ./chunk-000001.json -rw-------
[{"a":1}]
== ./chunk-000002.json -rw-------
[{"b":2}]
EOF
cat > "$T/split.exp" <<'EOF'
chunk-000001.json
chunk-000002.json
== ./chunk-000001.json -rw-------
[{"email":"a@example.com","name":"A  \"q\"  \u00e9\/ é"}]
== ./chunk-000002.json -rw-------
[{"email":"b@example.com","n":[1,2.5E+3,-0,true,null]},{"email":"c@example.com","user_metadata":{"k":"x y"}}]
EOF
printf '[{"a":1},{"b":2},{"c":3}]' > "$T/sevens.json"
cat > "$T/sevens.exp" <<'EOF'
chunk-000001.json
chunk-000002.json
chunk-000003.json
== ./chunk-000001.json -rw-------
[{"a":1}]
== ./chunk-000002.json -rw-------
[{"b":2}]
== ./chunk-000003.json -rw-------
[{"c":3}]
EOF
printf '' > "$T/none.exp"
# Limits: the first two records make a chunk of exactly B12 bytes.
B12=$(sed -n 4p "$T/n2.exp" | wc -c)
cat > "$T/usage.exp" <<'EOF'
usage: a0-chunk [-0k] [-b bytes] [-n count] [-d dir] [-p prefix] [file]

  -0, --null               end each path with a NUL (default: a newline)
  -k, --keep               keep the blanks inside records (default: removed)
  -b, --bytes bytes        largest chunk, K or M suffix (default: 509952)
  -n, --count count        most records a chunk (default: no limit)
  -d, --directory dir      where chunks go, made if missing (default: .)
  -p, --prefix prefix      start of chunk names (default: chunk-)
  -h, --help               print this help and exit
  -V, --version            print the version and exit
EOF
echo "a0-chunk $(sed -n 's/^#define A0_VERSION.*"\(.*\)"/\1/p' \
    "$TOP/common/a0.h")" > "$T/version.exp"

# ---- packing and naming ----
check 'one chunk, whitespace dropped'	0 "$T/in.json" "$T/all.exp" ''	$CK
check 'file operand'			0 '' "$T/all.exp" ''	$CK "$T/in.json"
check '- is stdin'			0 "$T/in.json" "$T/all.exp" ''	$CK -
check 'NDJSON input'			0 "$T/in.ndjson" "$T/all.exp" ''	$CK
check '-k keeps the bytes as read'	0 "$T/in.json" "$T/keep.exp" ''	$CK -k
check '-n 2'				0 "$T/in.json" "$T/n2.exp" ''	$CK -n 2
check '-n 1'				0 "$T/in.json" "$T/n1.exp" ''	$CK -n 1
check '-b fits two records exactly'	0 "$T/in.json" "$T/n2.exp" ''	$CK -b "$B12"
check '-b one byte short of two'	0 "$T/in.json" "$T/split.exp" ''	$CK -b $((B12 - 1))
check '-b a lone record exactly'	0 "$T/sevens.json" "$T/sevens.exp" ''	$CK -b 10
check '-b a byte short of a record'	3 "$T/sevens.json" "$T/none.exp" '^a0-chunk: -:1:2: record 1: longer than 6 bytes$'	$CK -b 9
check '-d and -p'			0 "$T/in.json" "$T/dir.exp" ''	$CK -d out -p users- -n 2
check '-d with a trailing slash'	0 "$T/in.json" "$T/dirslash.exp" ''	$CK -d out// -p users- -n 2
echo 'drwx------' > "$T/dirmode.exp"
check '-d is created, mode 0700'	0 "$T/in.json" "$T/dirmode.exp" ''	sh -c 'a0-chunk -d "$0/new" > /dev/null && ls -ld "$0/new" | cut -c1-10' "$T"
check '-0 ends paths with NUL'		0 "$T/in.json" "$T/nul.exp" ''	$CK -0 -n 1
check 'long options'			0 "$T/in.json" "$T/dir.exp" ''	$CK --directory=out --prefix=users- --count=2
check 'empty input: no files'		0 "$T/zero.json" "$T/none.exp" ''	$CK
check '[]: no files'			0 "$T/brackets.json" "$T/none.exp" ''	$CK
check 'blank input: no files'		0 "$T/blank.json" "$T/none.exp" ''	$CK

# ---- the limit, against a model of greedy packing ----
# pack.awk: compact records, one a line, packed greedily into chunks of
# at most b bytes and max records, written as dir/chunk-NNNNNN.json.
cat > "$T/pack.awk" <<'EOF'
function flush() {
	f = sprintf("%s/chunk-%06d.json", dir, ++n)
	printf "%s]\n", cur > f
	close(f)
	k = 0
}
{
	if (k > 0 && (length(cur) + 1 + length($0) + 2 > b ||
	    (max > 0 && k == max)))
		flush()
	cur = k++ ? cur "," $0 : "[" $0
}
END { if (k > 0) flush() }
EOF
# model IN -b BYTES MAX: a0-chunk's files equal the model's; prints "same".
cat > "$T/model" <<'EOF'
in=$1 arg=$2 b=$3 max=$4
rm -rf "$W" && mkdir -p "$W/got" "$W/exp" || exit 99
a0-chunk -d "$W/got" -b "$arg" ${max:+-n "$max"} "$in" > "$W/paths" ||
    exit
jq -c '.[]' "$in" | awk -v b="$b" -v max="${max:-0}" -v dir="$W/exp" \
    -f "$T/pack.awk"
(cd "$W/got" && ls) | sed "s,^,$W/got/," | cmp - "$W/paths" &&
    diff -r "$W/exp" "$W/got" && echo same
EOF
echo same > "$T/same.exp"
a0-template -n 300 custom-password-hash > "$T/users.json"
# A chunk of exactly 4 records, so that the limit is met to the byte.
B4=$(jq -c '.[0:4][]' "$T/users.json" | awk '{ n += length($0) + 1 } END { print n + 2 }')
for c in '1000 1000 -' '1K 1024 -' '4097 4097 -' "$B4 $B4 -" \
    "$((B4 - 1)) $((B4 - 1)) -" '100000 100000 7' '20000 20000 1' \
    '1M 1048576 -'; do
	set -- $c
	[ "$3" = - ] && m= || m=$3
	check "greedy packing, -b $1${m:+ -n $m}"	0 '' "$T/same.exp" ''	sh "$T/model" "$T/users.json" "$1" "$2" "$m"
done
jq -c '.[]' "$T/users.json" > "$T/users.ndjson"
cat > "$T/keepmodel" <<'EOF'
rm -rf "$W" && mkdir -p "$W/got" "$W/exp" || exit 99
a0-chunk -k -d "$W/got" -b 2000 "$T/users.ndjson" > /dev/null || exit
awk -v b=2000 -v dir="$W/exp" -f "$T/pack.awk" "$T/users.ndjson"
diff -r "$W/exp" "$W/got" && echo same
EOF
check '-k greedy packing of NDJSON'	0 '' "$T/same.exp" ''	sh "$T/keepmodel"

# Varied records (escapes, unicode, numbers, mixed layout): every file
# within -b, and the records, in order, those of the input.
if command -v python3 > /dev/null; then
	python3 "$TOP/bench/gen-users" 300000 > "$T/varied.json"
	cat > "$T/varied" <<'EOF'
rm -rf "$W" && mkdir "$W" || exit 99
a0-chunk -d "$W" -b "$1" "$T/varied.json" > "$W.paths" || exit
xargs wc -c < "$W.paths" | awk -v b="$1" '$2 != "total" && $1 > b { print "over:", $0 }'
xargs cat < "$W.paths" | jq -c '.[]' | cmp - "$T/varied.records" && echo same
EOF
	jq -c '.[]' "$T/varied.json" > "$T/varied.records"
	for b in 3000 10000 65536 509952; do
		check "varied records within -b $b"	0 '' "$T/same.exp" ''	sh "$T/varied" "$b"
	done
else
	skip 'python3 not installed'
fi

# ---- usage ----
check '-h prints usage'			0 '' "$T/usage.exp" ''	a0-chunk -h
check '--help prints usage'		0 '' "$T/usage.exp" ''	a0-chunk --help
check '-V prints the version'		0 '' "$T/version.exp" ''	a0-chunk -V
check 'unknown flag'			2 '' '' 'usage: a0-chunk'	a0-chunk -x
check '-b not a number'			2 '' '' '^a0-chunk: -b abc: invalid'	a0-chunk -b abc
check '-b too small'			2 '' '' '^a0-chunk: -b 4: too small'	a0-chunk -b 4
check '-b too large'			2 '' '' '^a0-chunk: -b 2048M: too large'	a0-chunk -b 2048M
check '-n zero'				2 '' '' '^a0-chunk: -n 0: too small'	a0-chunk -n 0
check '-n not a number'			2 '' '' '^a0-chunk: -n 1x: invalid'	a0-chunk -n 1x
check 'two files'			2 '' '' 'usage: a0-chunk'	a0-chunk "$T/in.json" "$T/in.json"
check 'empty -d'			2 '' '' 'usage: a0-chunk'	a0-chunk -d ''

# ---- input errors: completed chunks stay, nothing else is left ----
check 'malformed: position and record'	3 "$T/bad3.json" "$T/bad3.exp" '^a0-chunk: -:1:23: record 3: expected a value'	$CK -n 1
check 'malformed file is named'		3 '' "$T/bad3.exp" "^a0-chunk: $T/bad3.json:1:23: record 3: "	$CK -n 1 "$T/bad3.json"
check 'not objects'			3 "$T/notobj.json" "$T/none.exp" '^a0-chunk: -:1:2: record 1: expected an object'	$CK
check 'a bare scalar'			3 "$T/scalar.json" "$T/none.exp" '^a0-chunk: -:1:1: '	$CK
check 'trailing comma'			3 "$T/trailing.json" "$T/none.exp" '^a0-chunk: -:1:9: trailing comma'	$CK
check 'garbage after ]: chunk dropped'	3 "$T/after.json" "$T/none.exp" '^a0-chunk: -:1:19: '	$CK
check 'record over the limit is named'	3 "$T/long.json" "$T/none.exp" '^a0-chunk: -:3:1: record 2: longer than 9 bytes$'	$CK -b 12
check 'directory as input'		3 '' '' "^a0-chunk: $T: Is a directory\$"	a0-chunk "$T"
check 'missing input'			3 '' '' "^a0-chunk: $T/nope: No such file or directory\$"	a0-chunk "$T/nope"

# ---- output errors ----
: > "$T/plain"
check 'unwritable directory'		3 "$T/in.json" '' "^a0-chunk: $T/plain/chunk-000001.json: Not a directory\$"	a0-chunk -d "$T/plain"
check 'uncreatable directory'		3 "$T/in.json" '' "^a0-chunk: $T/plain/sub: Not a directory\$"	a0-chunk -d "$T/plain/sub"
check 'write error: temp file removed'	3 "$T/users.json" "$T/none.exp" '^a0-chunk: d/chunk-000001.json: File too large$'	sh -c 'trap "" XFSZ; ulimit -f 1; exec sh "$0/ck" -d d' "$T"
check 'stdout on a full disk'		3 "$T/in.json" '' '^a0-chunk: stdout: No space left on device$'	sh -c 'cd "$0" && a0-chunk -d full > /dev/full' "$T"
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$T/ro" && chmod 500 "$T/ro"
	check 'read-only directory'	3 "$T/in.json" '' "^a0-chunk: $T/ro/chunk-000001.json: Permission denied\$"	a0-chunk -d "$T/ro"
	chmod 700 "$T/ro"
else
	skip 'read-only directory: root writes anywhere'
fi

# ---- a signal while a chunk is written ----
# SIGTERM delivered at the third write(2), the second chunk's: that chunk
# is finished and renamed (signals are held while it is written) or not
# there at all, never a temporary file; its path is not printed.
if [ -n "${VALGRIND:-}" ]; then
	skip 'SIGTERM at a write: counts the writes of a0-chunk, not valgrind'
elif ! command -v strace > /dev/null; then
	skip 'SIGTERM at a write: strace is not installed'
elif strace -o /dev/null -e trace=write -e inject=write:signal=TERM \
    sh -c 'echo x' > /dev/null 2>&1; [ $? -ne 143 ]; then
	skip 'SIGTERM at a write: strace cannot inject signals here'
else
	printf '%s\n' chunk-000001.json > "$T/sig.exp"
	check 'SIGTERM at a write: killed, one path printed' 143 \
	    "$T/users.json" "$T/sig.exp" Terminated sh -c 'rm -rf "$0" &&
	    mkdir "$0" && cd "$0" && exec strace -o /dev/null -e trace=write \
	    -e inject=write:signal=TERM:when=3 "$1" -b 20K' "$W" \
	    "$TOP/bin/a0-chunk"
	ok 'SIGTERM at a write: no temporary file left' \
	    test -z "$(find "$W" -name '*.tmp*')"
	ok 'SIGTERM at a write: every chunk left is whole' sh -c '
	    for f in "$0"/chunk-*.json; do jq -e "length > 0" "$f" ||
	    exit 1; done > /dev/null' "$W"
fi

done_testing
