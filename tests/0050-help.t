#!/bin/sh
# For every tool: the usage line, --help and the man page's SYNOPSIS name
# the same flags in the same order; --help gives one line a flag, with
# its default, then -h and -V; the usage is the SYNOPSIS word for word.
. "${0%/*}/lib.sh"

command -v mandoc > /dev/null || skip_all "mandoc is not installed"

# flags: the flags a usage or SYNOPSIS text names, one a line, in order:
# "-0k" is -0 and -k; "--upsert[=bool]" is --upsert.
flags() {
	tr ' \t|[]' '\n\n\n\n\n' | sed -n \
	    -e 's/^\(--[a-z][a-z-]*\).*/\1/p' \
	    -e '/^-[A-Za-z0-9][A-Za-z0-9]*$/{s/^-//;s/./-&\n/g;s/\n$//;p;}'
}

# helpflags: the flag each line of --help after the usage is about.
helpflags() {
	sed '1,/^$/d' | sed -n -e 's/^  \(-[A-Za-z0-9]\), .*/\1/p' \
	    -e 's/^      \(--[a-z][a-z-]*\).*/\1/p'
}

# words: a text's words, one a line.
words() { tr -s ' \t\n' '\n\n\n' | sed '/^$/d'; }

# same DESC A B: files A and B are the same; the diff is shown if not.
same() {
	if cmp -s "$2" "$3"; then
		ok "$1" true
	else
		ok "$1" false
		diff -u "$2" "$3" | sed 's/^/#   /'
	fi
}

for p in "$TOP"/bin/a0-*; do
	case $p in *.tmp) continue ;; esac
	t=${p##*/}
	d=$T/$t
	mkdir "$d"
	check "$t --help: exit 0, nothing on stderr" 0 '' - '' "$t" --help
	cp "$T/out" "$d/help"
	# The usage: up to the first blank line of --help (a0-submit's
	# takes several lines).
	sed '/^$/,$d' "$d/help" > "$d/usage"
	if head -c 2 "$p" | grep -q '#!' && ! grep -q '^$' "$d/help"; then
		skip "$t: --help prints the usage only; a shell tool's" \
		    "flag lines are not written yet"
		continue
	fi
	mandoc -Tascii "$TOP/man/$t.1" 2> "$d/man.err" | col -b |
	    awk '/^SYNOPSIS/ { f = 1; next } /^[A-Z]/ { f = 0 } f' \
	    > "$d/synopsis"
	ok "$t: the man page has a SYNOPSIS" test -s "$d/synopsis"
	sed 's/^usage: //' "$d/usage" | words > "$d/usage.words"
	words < "$d/synopsis" > "$d/synopsis.words"
	same "$t: usage is the SYNOPSIS word for word" \
	    "$d/synopsis.words" "$d/usage.words"
	flags < "$d/synopsis" > "$d/synopsis.flags"
	sed 's/^usage: [^ ]*//' "$d/usage" | flags > "$d/usage.flags"
	helpflags < "$d/help" > "$d/help.flags"
	same "$t: the usage names the SYNOPSIS's flags" \
	    "$d/synopsis.flags" "$d/usage.flags"
	{ cat "$d/synopsis.flags"; printf '%s\n' -h -V; } > "$d/want.flags"
	same "$t: --help has a line for each, in order, then -h and -V" \
	    "$d/want.flags" "$d/help.flags"
	ok "$t: every flag line of --help gives a default" \
	    sh -c 'sed "1,/^\$/d" "$1" | grep -Ev "^  -[hV], " |
	    grep -v "(default: [^)]*)\$" | grep -q . && exit 1; exit 0' \
	    sh "$d/help"
	# A bad flag prints the same usage, on stderr, and exits 2.
	check "$t: a bad flag prints the usage" 2 '' '' - "$t" --no-such-flag
	sed -n '/^usage: /,$p' "$T/err" > "$d/usage.err"
	same "$t: the same usage on stderr" "$d/usage" "$d/usage.err"
done

done_testing
