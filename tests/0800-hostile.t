#!/bin/sh
# Hostile input: each one ends with its exit status and a message naming
# the place and the problem, in bounded memory and time, and leaves no
# chunk behind.  Inputs are generated here; none is kept in the tree.
. "${0%/*}/lib.sh"

O=$T/o		# a0-chunk's directory
U='{"email":"a@example.com"}'

# nofiles: a0-chunk left nothing in $O, not even a temporary file.
nofiles() { [ ! -e "$O" ] || [ -z "$(ls -A "$O")" ]; }

# refused: $tool said the record is too long, and wrote nothing.
refused() {
	grep -Eq "^$tool: -:1:2: record 1: longer than 5099[0-9]+ bytes$" \
	    "$T/err" && [ ! -s "$T/out" ]
}

# zero EXPECT: stdout is EXPECT, stderr is empty, no chunk was written.
zero() { cmp -s "$1" "$T/out" && [ ! -s "$T/err" ] && nofiles; }

# both NAME CHUNK_STATUS VALIDATE_STATUS ERRPAT: a0-chunk and a0-validate
# on $T/NAME (as standard input).  With status 3 neither writes anything
# (no chunk, no record) and the message is ERRPAT after "-:"; else the
# output is checked by the caller's $T/NAME.chunk and $T/NAME.valid.
both() {
	b_in=$T/$1
	rm -rf "$O"
	if [ "$2" -eq 3 ]; then
		check "a0-chunk: $1" 3 "$b_in" '' \
		    "^a0-chunk: -:$4" a0-chunk -d "$O"
	else
		check "a0-chunk: $1" "$2" "$b_in" "$b_in.chunk" '' \
		    a0-chunk -d "$O"
	fi
	[ "$2" -eq 0 ] || ok "a0-chunk: $1: no partial chunk" nofiles
	if [ "$3" -eq 3 ]; then
		check "a0-validate: $1" 3 "$b_in" '' "^a0-validate: -:$4" \
		    a0-validate
	else
		check "a0-validate: $1" "$3" "$b_in" "$b_in.valid" '-' \
		    a0-validate
	fi
}

# ---- nesting 200,000 deep ----
python3 -c "import sys; n = 200000
sys.stdout.write('[{\"a\":' + '[' * n + ']' * n + '}]')" > "$T/deep"
python3 -c "import sys; sys.stdout.write('[' * 200000)" > "$T/deep-open"
both deep 3 3 '1:518: record 1: nesting deeper than 512$'
both deep-open 3 3 "1:2: record 1: expected an object, found '\\['$"

# ---- invalid UTF-8, NUL bytes, byte order marks ----
while IFS='|' read -r name bytes pat; do
	printf "$bytes" > "$T/$name"
	both "$name" 3 3 "$pat"
done <<'EOF'
overlong-2-in-string|[{"a":"\300\257"}]|1:8: record 1: invalid UTF-8 byte 0xC0$
overlong-2-in-key|[{"\301\277":1}]|1:4: record 1: invalid UTF-8 byte 0xC1$
overlong-3-in-string|[{"a":"\340\200\257"}]|1:8: record 1: invalid UTF-8 sequence: byte 0x80 after 0xE0$
overlong-4-in-key|[{"\360\200\200\257":1}]|1:4: record 1: invalid UTF-8 sequence: byte 0x80 after 0xF0$
surrogate-in-string|[{"a":"\355\240\200"}]|1:8: record 1: invalid UTF-8 sequence: byte 0xA0 after 0xED$
surrogate-in-key|[{"\355\277\277":1}]|1:4: record 1: invalid UTF-8 sequence: byte 0xBF after 0xED$
above-10ffff|[{"a":"\364\220\200\200"}]|1:8: record 1: invalid UTF-8 sequence: byte 0x90 after 0xF4$
byte-ff|[{"a":"x\377"}]|1:9: record 1: invalid UTF-8 byte 0xFF$
truncated-2-in-string|[{"a":"\303"}]|1:8: record 1: invalid UTF-8 sequence: byte 0x22 after 0xC3$
truncated-3-in-key|[{"\342\202":1}]|1:4: record 1: invalid UTF-8 sequence: byte 0x22 after 0xE2$
truncated-4-at-end|[{"a":"\360\237\230|1:11: record 1: unexpected end of input in string$
lone-continuation|[{"a":"\200"}]|1:8: record 1: invalid UTF-8 byte 0x80$
non-ascii-outside-string|[{"a":\303\251}]|1:7: record 1: expected a value, found byte 0xC3 \(non-ASCII outside a string\)$
nul-in-string|[{"a":"x\0y"}]|1:9: record 1: unescaped control character 0x00 in string$
nul-in-key|[{"\0":1}]|1:4: record 1: unescaped control character 0x00 in string$
nul-before|\0[{"a":1}]|1:1: expected an array of objects or a sequence of objects, found byte 0x00$
nul-after|[{"a":1}]\0|1:10: expected end of input after ']', found byte 0x00$
nul-between|{"a":1}\0{"a":2}|1:8: record 2: expected an object, found byte 0x00$
bom-inside|[\357\273\277{"a":1}]|1:2: record 1: expected an object, found byte 0xEF$
bom-twice|\357\273\277\357\273\277[]|1:1: expected an array of objects or a sequence of objects, found byte 0xEF$
lone-high-surrogate|[{"a":"\\ud800"}]|1:8: record 1: lone surrogate \\uD800 in string$
lone-low-surrogate|[{"a":"\\udc00"}]|1:8: record 1: lone surrogate \\uDC00 in string$
lone-surrogate-in-key|[{"\\udbff":1}]|1:4: record 1: lone surrogate \\uDBFF in string$
high-then-not-low|[{"a":"\\ud800\\u0041"}]|1:8: record 1: lone surrogate \\uD800 in string$
high-then-high|[{"a":"\\ud800\\ud800"}]|1:8: record 1: lone surrogate \\uD800 in string$
high-then-end|[{"a":"\\ud83d|1:14: record 1: unexpected end of input in string$
EOF

# A byte order mark opening the input is skipped; a valid pair of \u
# surrogates is a character like any other.
printf '\357\273\277[%s]' "$U" > "$T/bom"
printf '%s\n' "$O/chunk-000001.json" > "$T/bom.chunk"
printf '[%s]\n' "$U" > "$T/bom.valid"
both bom 0 0
printf '[%s]\n' "$U" > "$T/bom.file"
ok "a0-chunk: bom: the chunk has the record, no mark" \
    cmp -s "$T/bom.file" "$O/chunk-000001.json"

# ---- input that ends too soon ----
while IFS='|' read -r name text pat; do
	printf '%s' "$text" > "$T/$name"
	both "$name" 3 3 "$pat"
done <<'EOF'
end-mid-record|[{"email":"a@example.com",|1:27: record 1: unexpected end of input in object$
end-mid-array|[{"a":[1,|1:10: record 1: unexpected end of input in array$
end-mid-key|[{"ema|1:7: record 1: unexpected end of input in string$
end-mid-string|[{"email":"a@exam|1:18: record 1: unexpected end of input in string$
end-mid-escape|[{"email":"a\|1:14: record 1: unexpected end of input in string$
end-mid-u-escape|[{"email":"a\u00|1:17: record 1: unexpected end of input in string$
end-mid-number|[{"n":-12.5e|1:13: record 1: unexpected end of input in number$
end-mid-literal|[{"n":tru|1:10: record 1: unexpected end of input in literal$
end-after-record|[{"a":1}|1:9: unexpected end of input, expected ',' or ']' after record$
end-after-comma|[{"a":1},|1:10: unexpected end of input, expected an object$
EOF
# A sequence whose second record is cut.
printf '%s\n{"email":"b@exa' "$U" > "$T/end-mid-ndjson"
rm -rf "$O"
check "a0-chunk: end-mid-ndjson" 3 "$T/end-mid-ndjson" '' \
    '^a0-chunk: -:2:16: record 2: unexpected end of input in string$' \
    a0-chunk -d "$O"
ok "a0-chunk: end-mid-ndjson: no partial chunk" nofiles
# a0-validate has written the first record when it finds the second cut:
# its output is then no JSON text, and the next stage refuses it.
printf '[%s' "$U" > "$T/end-mid-ndjson.valid"
check "a0-validate: end-mid-ndjson" 3 "$T/end-mid-ndjson" \
    "$T/end-mid-ndjson.valid" \
    '^a0-validate: -:2:16: record 2: unexpected end of input in string$' \
    a0-validate
check "a0-chunk: after a0-validate stopped midway" 3 \
    "$T/end-mid-ndjson.valid" '' \
    "^a0-chunk: -:1:27: unexpected end of input, expected ',' or ']'" \
    a0-chunk -d "$O"

# ---- numbers of 10,000 digits, 100,000 keys ----
python3 -c "import sys
sys.stdout.write('[{\"email\":\"a@example.com\",\"user_metadata\":'
    '{\"n\":-' + '9' * 10000 + ',\"f\":0.' + '1' * 10000 + 'e-' +
    '9' * 10000 + '}}]')" > "$T/digits"
echo "$O/chunk-000001.json" > "$T/digits.chunk"
{ cat "$T/digits"; echo; } > "$T/digits.valid"
both digits 0 0
ok "a0-chunk: digits: the chunk is the record" \
    cmp -s "$T/digits.valid" "$O/chunk-000001.json"
check "a0-validate: digits: a warning on the profile size" 0 "$T/digits" \
    "$T/digits.valid" '^-:1:2: warning: record 1: : PROFILE_SIZE_EXCEEDED' \
    a0-validate

python3 -c "import sys
sys.stdout.write('[{\"email\":\"a@example.com\",\"user_metadata\":{' +
    ','.join('\"k%d\":%d' % (i, i) for i in range(100000)) + '}}]')" \
    > "$T/keys"
rm -rf "$O"
echo "$O/chunk-000001.json" > "$T/keys.chunk"
check "a0-chunk -b 4M: 100,000 keys in one object" 0 "$T/keys" \
    "$T/keys.chunk" '' a0-chunk -b 4M -d "$O"
{ cat "$T/keys"; echo; } > "$T/keys.file"
ok "a0-chunk -b 4M: 100,000 keys: the chunk is the record" \
    cmp -s "$T/keys.file" "$O/chunk-000001.json"
rm -rf "$O"
check "a0-chunk: 100,000 keys: larger than a chunk" 3 "$T/keys" '' \
    '^a0-chunk: -:1:2: record 1: longer than 509949 bytes$' \
    a0-chunk -d "$O"
check "a0-validate: 100,000 keys: larger than a request" 3 "$T/keys" '' \
    '^a0-validate: -:1:2: record 1: longer than 509952 bytes$' \
    a0-validate
# As many keys as fit one request, each given twice: one diagnostic per
# repeated key, and the record is rejected.
python3 -c "import sys
sys.stdout.write('[{\"email\":\"a@example.com\",\"user_metadata\":{' +
    ','.join('\"%x\":0' % (i // 2) for i in range(50000)) + '}}]')" \
    > "$T/dupkeys"
printf '[]\n' > "$T/dupkeys.out"
check "a0-validate: 25,000 keys given twice" 1 "$T/dupkeys" \
    "$T/dupkeys.out" 'DUPLICATE_KEY: key given twice in one object' \
    a0-validate
n=$(grep -c 'DUPLICATE_KEY' "$T/err")
ok "a0-validate: one diagnostic per repeated key ($n)" [ "$n" -eq 25000 ]

# ---- a 60 MB string: refused at the limit, in bounded memory ----
big60() {
	printf '[{"email":"a@example.com","name":"'
	head -c 60000000 /dev/zero | tr '\0' x
	printf '"}]'
}
# Peak memory is measured with GNU time, when it is there and the tools
# do not run under valgrind (whose own memory it would be).
if [ -x /usr/bin/time ] && [ -z "${VALGRIND:-}" ]; then
	TIME="/usr/bin/time -o $T/rss -f %M"
else
	TIME=
fi
# peak TOOL DESC: TOOL, just run under $TIME, used less than 16 MB more
# than it does to print its version (a sanitizer build's own memory is
# then left out).
peak() {
	if [ -z "$TIME" ]; then
		skip "$2: no peak memory check (no GNU time, or valgrind)"
		return
	fi
	p_rss=$(tail -1 "$T/rss")
	/usr/bin/time -o "$T/rss0" -f %M "$1" -V > "$T/v.out"
	p_rss=$((p_rss - $(tail -1 "$T/rss0")))
	ok "$2: peak memory ${p_rss} kB over $1 -V, < 16 MB" \
	    [ "$p_rss" -lt 16384 ]
}
for tool in a0-chunk a0-validate; do
	rm -rf "$O"
	big60 | $TIME "$tool" > "$T/out" 2> "$T/err"
	ok "$tool: 60 MB string refused, nothing written" refused
	peak "$tool" "$tool: 60 MB string"
	ok "$tool: 60 MB string: no partial chunk" nofiles
done
# As soon as the limit is passed, without waiting for the rest: the
# writer holds the FIFO open after its first 2 MB.
for tool in a0-chunk a0-validate; do
	mkfifo "$T/slow.$tool"
	{ printf '[{"email":"a@example.com","name":"'
	  head -c 2000000 /dev/zero | tr '\0' x
	  exec sleep 60; } > "$T/slow.$tool" &
	t_pids="$t_pids $!"
	check "$tool: long string refused before the input ends" 3 '' '' \
	    "^$tool: $T/slow.$tool:1:2: record 1: longer than" \
	    timeout 30 "$tool" "$T/slow.$tool"
done

# ---- a gigabyte of whitespace: zero records ----
# (64 MB under valgrind, which runs the reader some thirty times slower.)
GB=1073741824
[ -z "${VALGRIND:-}" ] || GB=67108864
printf '[]\n' > "$T/empty.out"
for tool in a0-chunk a0-validate; do
	rm -rf "$O"
	s=$(date +%s)
	head -c $GB /dev/zero | tr '\0' ' ' |
	    timeout 120 "$tool" > "$T/out" 2> "$T/err"
	st=$?
	s=$(($(date +%s) - s))
	exp=$T/empty.out
	[ "$tool" = a0-chunk ] && exp=/dev/null
	ok "$tool: $GB spaces: exit 0 in ${s}s" [ "$st" -eq 0 ]
	ok "$tool: $GB spaces: no record, nothing on stderr" \
	    zero "$exp"
done
# Newlines and tabs too, with the lines counted to the end.
{ yes '	 ' | head -n 10000000; printf '[{"a":}]'; } > "$T/lines"
both lines 3 3 "10000001:7: record 1: expected a value, found '}'$"

# ---- a directory, a FIFO ----
mkdir "$T/dir"
for tool in a0-chunk a0-validate; do
	check "$tool: a directory" 3 '' '' "^$tool: $T/dir: Is a directory$" \
	    "$tool" "$T/dir"
	check "$tool: a directory on stdin" 3 "$T/dir" '' \
	    "^$tool: -: Is a directory$" "$tool"
done
rm -rf "$O"
mkfifo "$T/fifo"
printf '[%s]\n' "$U" > "$T/fifo.valid"
printf '%s\n' "$O/chunk-000001.json" > "$T/fifo.chunk"
{ printf '[%s]' "$U" > "$T/fifo"; } &
check "a0-chunk: a FIFO" 0 '' "$T/fifo.chunk" '' timeout 30 a0-chunk -d "$O" \
    "$T/fifo"
wait $!
{ printf '[%s]' "$U" > "$T/fifo"; } &
check "a0-validate: a FIFO" 0 '' "$T/fifo.valid" '' timeout 30 a0-validate \
    "$T/fifo"
wait $!

# ---- a0-submit: chunk files it is given ----
S="a0-submit --dry-run -C con_A0EmulatorDb0001"
check "a0-submit: a directory" 3 '' '-' "^a0-submit: $T/dir: Is a directory$" \
    $S "$T/dir"
ok "a0-submit: a directory: an error line" grep -q '"status":"error"' "$T/out"
{ printf '[%s]' "$U" > "$T/fifo"; } &
check "a0-submit: a FIFO" 0 '' '-' '' timeout 30 $S "$T/fifo"
wait $!
ok "a0-submit: a FIFO: read as a chunk" \
    grep -q '"status":"dry-run".*"total":1' "$T/out"
big60 > "$T/big"
check "a0-submit: a 60 MB chunk: refused unread" 3 '' '-' \
    "^a0-submit: $T/big:1:2: record 1: longer than 512000 bytes$" \
    $TIME $S "$T/big"
peak a0-submit "a0-submit: a 60 MB chunk"
rm -f "$T/big"
# A chunk is checked as strictly as the reader checks records: deep
# nesting is refused at once, not tokenized, and bytes that are not UTF-8
# are not sent.
while IFS='|' read -r name pat; do
	check "a0-submit: $name" 3 '' '-' "^a0-submit: $T/$name:$pat" \
	    timeout -k 5 20 $S "$T/$name"
	ok "a0-submit: $name: an error line" \
	    grep -q '"status":"error"' "$T/out"
done <<'EOF'
nul-after|1:10: expected end of input after ']', found byte 0x00$
end-mid-string|1:18: record 1: unexpected end of input in string$
deep|1:518: record 1: nesting deeper than 512$
overlong-2-in-string|1:8: record 1: invalid UTF-8 byte 0xC0$
lone-low-surrogate|1:8: record 1: lone surrogate \\uDC00 in string$
EOF

# ---- a0-submit: hostile answers ----
# A server that answers every request with one status and body; keys
# without values and cut texts must be read safely (under valgrind too).
cat > "$T/answer.py" <<'EOF'
import sys, http.server
body = sys.argv[2].encode()
class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        n = int(self.headers.get('Content-Length') or 0)
        if n:
            self.rfile.read(n)
        self.send_response(int(sys.argv[1]))
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = answer
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
print('http://127.0.0.1:%d' % s.server_address[1], flush=True)
s.serve_forever()
EOF
printf '[%s]' "$U" > "$T/one.json"
AUTH0_CLIENT_ID=id AUTH0_CLIENT_SECRET=secret A0_RETRY_MAX=1 A0_RETRY_TIME=1
export AUTH0_CLIENT_ID AUTH0_CLIENT_SECRET A0_RETRY_MAX A0_RETRY_TIME
while IFS='|' read -r status body pat; do
	: > "$T/url"
	python3 "$T/answer.py" "$status" "$body" > "$T/url" &
	t_pids="$t_pids $!"
	n=0
	until grep -q '^http' "$T/url" || [ $n -ge 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	AUTH0_DOMAIN=$(cat "$T/url")
	export AUTH0_DOMAIN
	check "a0-submit: answer $status $body" 4 '' '' "$pat" \
	    timeout 30 a0-submit -c Username-Password-Authentication \
	    "$T/one.json"
	kill $!
done <<'EOF'
200|{"a":1,"b"}|^a0-submit: POST /oauth/token: 200: \{"a":1,"b"\}$
200|{"access_token":|^a0-submit: POST /oauth/token: 200: \{"access_token":$
200|[{"access_token":"x"}]|^a0-submit: POST /oauth/token: 200:
200|{"access_token":"","expires_in":1}|^a0-submit: POST /oauth/token: 200:
401|{"error":"access_denied","error_description"}|^a0-submit: POST /oauth/token: 401
403|{"message":"\ud800","error"}|^a0-submit: POST /oauth/token: 403
EOF

done_testing
