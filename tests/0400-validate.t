#!/bin/sh
# a0-validate: output, diagnostics, options, exit statuses, duplicates,
# and every case of the rule table (tests/validate/rules.txt) through
# the tool.
. "${0%/*}/lib.sh"

RULES=$TOP/tests/validate/rules.txt
V=a0-validate
OKREC='{"email":"a@example.com"}'

# Inputs.
printf '[%s]\n' "$OKREC" > "$T/one.json"
printf '[%s]\n' "$OKREC" > "$T/one.out"
printf '[]\n' > "$T/empty.out"
: > "$T/nothing.json"
printf ' [ ]\n' > "$T/emptyarr.json"
printf '[ {"email" : "a@example.com",\n  "name":"\\u00e9 x"} ,\n {"email":"b@example.com"}\n]\n' > "$T/spaced.json"
printf '[{"email" : "a@example.com",\n  "name":"\\u00e9 x"},\n{"email":"b@example.com"}]\n' > "$T/spaced.out"
printf '{"email":"a@example.com"}\n{"email":"b@example.com"}\n' > "$T/seq.json"
printf '[{"email":"a@example.com"},\n{"email":"b@example.com"}]\n' > "$T/seq.out"
printf '[{"email":"nope"}]\n' > "$T/bad.json"
printf '[{"email":"a@example.com","user_id":"auth0|1"}]\n' > "$T/warn.json"
printf '[{"email":"a@example.com"},{"email":"x"},{"email":"b@example.com"}]\n' > "$T/mixed.json"
printf '[{"email":"a@example.com"},\n{"email":"b@example.com"}]\n' > "$T/mixed.out"
printf '[{"email":"x"}]\n' > "$T/mixed.rej"
printf '[{"email":"a@example.com"},\n{"email":"b@example.com",}]\n' > "$T/syntax.json"
printf '[{"email":"x"},\n{"email":tru}]\n' > "$T/syntax2.json"
printf '[{"email":"a@example.com","name":"\377"}]\n' > "$T/latin1.json"
printf '42\n' > "$T/scalar.json"
printf '[1,2]\n' > "$T/ints.json"
printf '[{"email":"a@example.com","user_metadata":{"a\\n.b":1}}]\n' > "$T/nlkey.json"
printf '[{"email":"a@example.com","name":""}]\n' > "$T/json.json"
printf '{"file":"-","line":1,"col":2,"record":1,"pointer":"/name","code":"MIN_LENGTH","message":"must not be empty","severity":"error"}\n' > "$T/json.err"

# Duplicates.
printf '%s\n' '[{"email":"A@Example.com","username":"bob","user_id":"1"},' \
    '{"email":"a@example.COM"},' '{"email":"c@example.com","username":"BOB"},' \
    '{"email":"d@example.com","user_id":"1"},' '{"email":"e@example.com","user_id":"01"}]' \
    > "$T/dup.json"
printf '[{"email":"A@Example.com","username":"bob","user_id":"1"},\n{"email":"e@example.com","user_id":"01"}]\n' > "$T/dup.out"
printf '[{"email":"a@example.com","name":""},{"email":"a@example.com"}]\n' > "$T/duprej.json"
printf '[{"email":"a@example.com"}]\n' > "$T/duprej.out"
printf '[{"email":"z@example.com"},{"email":"a@example.com"}]\n' > "$T/dup2.json"

#	DESC					STATUS STDIN EXPECT ERRPAT CMD
check 'one valid record'			0 "$T/one.json" "$T/one.out" '' $V
check 'file argument'				0 '' "$T/one.out" '' $V "$T/one.json"
check '- is stdin'				0 "$T/one.json" "$T/one.out" '' $V -
check 'records byte for byte'			0 "$T/spaced.json" "$T/spaced.out" '' $V
check 'sequence of objects in, array out'	0 "$T/seq.json" "$T/seq.out" '' $V
check 'empty input: empty array'		0 "$T/nothing.json" "$T/empty.out" '' $V
check '[ ]: empty array'			0 "$T/emptyarr.json" "$T/empty.out" '' $V
check 'invalid record left out, exit 1'	1 "$T/bad.json" "$T/empty.out" '^-:1:2: record 1: /email: FORMAT: not a valid email address' $V
check 'file name in diagnostics'		1 '' "$T/empty.out" "^$T/bad.json:1:2: record 1: /email: FORMAT: " $V "$T/bad.json"
check 'warning does not reject'			0 "$T/warn.json" "$T/warn.json" '^-:1:2: warning: record 1: /user_id: USER_ID_FORMAT: ' $V
check 'valid ones kept, in order'		1 "$T/mixed.json" "$T/mixed.out" '^-:1:28: record 2: /email: FORMAT' $V
check '-n: nothing on stdout'			1 "$T/mixed.json" '' 'record 2: /email: FORMAT' $V -n
check '-n, all valid'				0 "$T/mixed.out" '' '' $V -n
check '-q: a count line only'			1 "$T/mixed.json" "$T/mixed.out" '^a0-validate: 3 records, 2 valid, 1 rejected, 0 warnings$' $V -q
check '-q -f json: a count object'		0 "$T/warn.json" - '^\{"records":1,"valid":1,"rejected":0,"warnings":1\}$' $V -q -f json
check '-f json: JSON Lines'			1 "$T/json.json" "$T/empty.out" '"severity":"error"' $V -f json
ok '-f json: exact line' cmp -s "$T/json.err" "$T/err"
check '-f text'					1 "$T/json.json" "$T/empty.out" '^-:1:2: record 1: /name: MIN_LENGTH: must not be empty$' $V -f text
check 'control bytes in a pointer escaped'	1 "$T/nlkey.json" "$T/empty.out" '^-:1:2: record 1: /user_metadata/a\\n\.b: METADATA_KEY' $V
check 'a0-chunk reads the output'		0 "$T/mixed.out" - '' sh -c 'a0-validate | a0-chunk -d "$1" >/dev/null' sh "$T"

# Rejects.
check '-r: rejects file'			1 "$T/mixed.json" "$T/mixed.out" 'FORMAT' $V -r "$T/rej.json"
ok '-r: rejects are a JSON array' cmp -s "$T/mixed.rej" "$T/rej.json"
ok '-r: mode 0600' test "$(stat -c %a "$T/rej.json")" = 600
check '-r: no rejects, empty array'		0 "$T/one.json" "$T/one.out" '' $V -r "$T/rej0.json"
ok '-r: [] written' cmp -s "$T/empty.out" "$T/rej0.json"
mkdir "$T/rd"
check '-r: exit 3 leaves no file'		3 "$T/syntax2.json" - '^a0-validate: -:2:13: record 2: invalid literal' $V -r "$T/rd/rej.json"
ok '-r: nothing under the final name, no temporary' test -z "$(ls -A "$T/rd")"
check '-r: unwritable directory'		3 "$T/one.json" - "^a0-validate: $T/nodir/r.json: " $V -r "$T/nodir/r.json"

# Duplicates.
check 'DUPLICATED_USER email, username, user_id' 1 "$T/dup.json" "$T/dup.out" '^-:2:1: record 2: /email: DUPLICATED_USER: a user with this email was already provided \(record 1\)$' $V
ok 'DUPLICATED_USER username, case folded' grep -q '^-:3:1: record 3: /username: DUPLICATED_USER: .*(record 1)$' "$T/err"
ok 'DUPLICATED_USER user_id' grep -q '^-:4:1: record 4: /user_id: DUPLICATED_USER: a user with this user_id' "$T/err"
ok 'three duplicates, no more' test "$(grep -c DUPLICATED_USER "$T/err")" = 3
check '--no-dup'				0 "$T/dup.json" - '' $V --no-dup
check 'a rejected record claims no key'	1 "$T/duprej.json" "$T/duprej.out" 'record 1: /name: MIN_LENGTH' $V
ok 'so no DUPLICATED_USER' sh -c '! grep -q DUPLICATED_USER "$1"' sh "$T/err"
check 'duplicates across files, numbered per file' 1 '' - "^$T/dup2.json:1:28: record 2: /email: DUPLICATED_USER: .*\\(record 1 of $T/one.json\\)\$" $V "$T/one.json" "$T/dup2.json"

# Exit 3: malformed input, unreadable input, unwritable output.
check 'syntax error: position, exit 3'		3 "$T/syntax.json" - '^a0-validate: -:2:25: record 2: trailing comma' $V
check 'not UTF-8'				3 "$T/latin1.json" - '^a0-validate: -:1:' $V
check 'not an array of objects: 42'		3 "$T/scalar.json" - '^a0-validate: -:1:1: ' $V
check 'not an array of objects: [1,2]'		3 "$T/ints.json" - '^a0-validate: -:1:2: ' $V
check 'missing file'				3 '' '' "^a0-validate: $T/none.json: No such file" $V "$T/none.json"
check 'a directory'				3 '' - "^a0-validate: $T/rd: " $V "$T/rd"
if [ -w /dev/full ]; then
	check 'stdout full'			3 "$T/one.json" '' '^a0-validate: stdout: No space left' sh -c 'a0-validate > /dev/full'
else
	skip 'no /dev/full'
fi
i=0
{
	printf '['
	while [ $i -lt 3000 ]; do
		printf '{"email":"u%d@example.com"},' $i
		i=$((i + 1))
	done
	printf '{"email":"last@example.com"}]\n'
} > "$T/many.json"
check 'closed pipe: quiet'			0 '' '' '' sh -c 'a0-validate "$1" | head -c 1 >/dev/null; exit 0' sh "$T/many.json"

# Usage.
check '-h: usage on stdout'			0 '' - '' $V -h
ok '-h: the synopsis' grep -q '^usage: a0-validate \[-nq\] \[-r rejects\] \[-f text|json\] \[--no-dup\] \[file ...\]$' "$T/out"
ok '-h: a line for --no-dup' grep -q '^      --no-dup  *skip the duplicate check (default: check)$' "$T/out"
check '-V: version'				0 '' - '' $V -V
ok '-V: name and version' grep -q '^a0-validate [0-9][0-9.]*$' "$T/out"
check 'bad -f value'				2 '' '' '^a0-validate: -f: xml: must be text or json' $V -f xml
check 'unknown option'				2 '' '' '^usage: a0-validate' $V -x
check '-r without a value'			2 '' '' '^usage: a0-validate' $V -r

# Every template passes.
for t in basic custom-password-hash mfa empty; do
	check "a0-template $t passes"		0 '' - '' sh -c 'a0-template "$1" | a0-validate -n' sh "$t"
done
check 'a0-template -n 2000: distinct users'	0 '' - '^a0-validate: 2000 records, 2000 valid, 0 rejected, 0 warnings$' sh -c 'a0-template -n 2000 | a0-validate -nq'

# The rule table through the tool: records without an error come out
# byte for byte, in order; the others go to the rejects.
grep -v '^#' "$RULES" | cut -f2 > "$T/rules.ndjson"
awk -F'\t' -v rejf="$T/rules.bad" '!/^#/ {
	bad = 0
	if ($1 != "-") {
		n = split($1, it, ", ")
		for (i = 1; i <= n; i++)
			if (it[i] !~ /^w:/)
				bad = 1
	}
	if (bad) rej[++nr] = $2; else good[++ng] = $2
}
END {
	printf "["
	for (i = 1; i <= ng; i++)
		printf "%s%s", (i > 1 ? ",\n" : ""), good[i]
	print "]"
	printf "[" > rejf
	for (i = 1; i <= nr; i++)
		printf "%s%s", (i > 1 ? ",\n" : ""), rej[i] > rejf
	print "]" > rejf
}' "$RULES" > "$T/rules.good"
check 'rule table: valid records out'		1 "$T/rules.ndjson" "$T/rules.good" - $V --no-dup -r "$T/rules.rej"
ok 'rule table: the others rejected' cmp -s "$T/rules.bad" "$T/rules.rej"
nerr=$(grep -v '^#' "$RULES" | cut -f1 | tr ',' '\n' | grep -v -e '^ *-$' -e '^ *w:' | grep -c .)
nwarn=$(grep -v '^#' "$RULES" | cut -f1 | tr ',' '\n' | grep -c '^ *w:')
ok "rule table: $nerr errors" test "$(grep -vc ': warning: ' "$T/err")" = "$nerr"
ok "rule table: $nwarn warnings" test "$(grep -c ': warning: ' "$T/err")" = "$nwarn"
# Every code the man page lists is exercised by the table or above.
for code in $(sed -n 's/^\.It Li \([A-Z_]*\)$/\1/p' "$TOP/man/a0-validate.1"); do
	case $code in DUPLICATED_USER) continue ;; esac
	ok "code $code is tested" grep -q "$code " "$RULES"
done


# On a terminal, which a0-submit's progress line may share (a0-import),
# each diagnostic first erases the line; elsewhere the text is as it was.
printf '[{"email":"x"}]\n' > "$T/tty.json"
"$PYTHON" -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.dup2(os.open("/dev/null", os.O_WRONLY), 1)
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
sys.stdout.buffer.write(out)' a0-validate "$T/tty.json" > "$T/tty.raw"
ok "on a terminal, a diagnostic erases the line first" \
    grep -q "$(printf '\r\033')\\[K.*tty\\.json:1:2: record 1: /email" "$T/tty.raw"
check "elsewhere, not" 1 "$T/tty.json" - '^-:1:2: record 1: /email' \
    a0-validate
done_testing
