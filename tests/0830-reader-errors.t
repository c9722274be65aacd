#!/bin/sh
# The reader's errors are worded one way: the same malformed input gives
# the same "FILE:LINE:COL: record N: message" (no "record N: " outside a
# record) after the tool's name, from a0-validate, a0-chunk and a0-submit.
. "${0%/*}/lib.sh"

# said TOOL FILE MESSAGE: TOOL's stderr is exactly "TOOL: FILE:MESSAGE".
said() { printf '%s: %s:%s\n' "$1" "$2" "$3" | cmp -s - "$T/err"; }

# Each case: a name, the input (printf format), and the message.
while IFS='|' read -r name bytes want; do
	f=$T/$name.json
	printf "$bytes" > "$f"
	for tool in a0-validate a0-chunk a0-submit; do
		case $tool in
		a0-validate) set -- a0-validate "$f" ;;
		a0-chunk) set -- a0-chunk -d "$T/o" "$f" ;;
		a0-submit) set -- a0-submit --dry-run \
		    -C con_A0EmulatorDb0001 "$f" ;;
		esac
		check "$tool: $name: exit 3" 3 '' - - "$@"
		ok "$tool: $name: the message" said "$tool" "$f" "$want"
		sed "s/^$tool: //" "$T/err" > "$T/$name.$tool"
	done
	ok "$name: the three say the same" \
	    sh -c 'cmp -s "$1.a0-validate" "$1.a0-chunk" &&
	    cmp -s "$1.a0-validate" "$1.a0-submit"' sh "$T/$name"
done <<'CASES'
literal-in-record-2|[{"email":"a@example.com"},\n {"email":tru}]|2:14: record 2: invalid literal, expected true
trailing-comma-in-record|[{"email":"a@example.com",}]|1:26: record 1: trailing comma
trailing-comma-in-array|[{"email":"a@example.com"},]|1:27: trailing comma
end-in-string|[{"email":"a@exa|1:17: record 1: unexpected end of input in string
utf8-in-record-3|[{"email":"a@example.com"},{"email":"b@example.com"},\n{"a":"\300\257"}]|2:7: record 3: invalid UTF-8 byte 0xC0
bad-escape|{"email":"a@example.com"}\n{"b":"\\q"}|2:7: record 2: invalid escape \q in string
lone-surrogate|[{"email":"\\udc00"}]|1:12: record 1: lone surrogate \uDC00 in string
control-in-key|[{"e\tmail":1}]|1:5: record 1: unescaped control character 0x09 in string
leading-zero|[{"n":01}]|1:8: record 1: leading zero in number
not-an-array|42|1:1: expected an array of objects or a sequence of objects, found '4'
not-an-object|[{"email":"a@example.com"},1]|1:28: record 2: expected an object, found '1'
after-the-array|[{"email":"a@example.com"}] x|1:29: expected end of input after ']', found 'x'
CASES

done_testing
