#!/bin/sh
# completion/: bash and zsh complete every flag of each tool's manual page
# SYNOPSIS (so that a flag added to a page and not to the completion is
# caught), template names, file and directory names.
. "${0%/*}/lib.sh"

B=$TOP/completion/a0.bash
Z=$TOP/completion/_a0
unset BASH_ENV ENV

command -v bash > /dev/null || skip_all "bash is not installed"

# flags SECTION PAGE: the flags an mdoc page's SECTION names (in
# DESCRIPTION, on its .It lines only), sorted: "Fl 0k" is -0 and -k;
# "Fl -upsert", "Fl Fl upsert" and "Fl \-upsert" are --upsert.
flags() {
	awk -v sec="$1" '
	/^\.Sh / { in_sec = ($2 == sec); next }
	!in_sec || (sec == "DESCRIPTION" && !/^\.It /) { next }
	{
		n = split($0, w, /[ \t]+/)
		for (i = 1; i <= n; i++) {
			if (w[i] != "Fl" && w[i] != ".Fl")
				continue
			long = 0
			while (i + 1 <= n && w[i + 1] == "Fl") {
				long = 1
				i++
			}
			a = w[i + 1]
			if (sub(/^\\?-/, "", a))
				long = 1
			if (a !~ /^[A-Za-z0-9][A-Za-z0-9-]*$/ ||
			    a ~ /^[A-Z][a-z]$/)
				continue
			if (long)
				print "--" a
			else
				for (j = 1; j <= length(a); j++)
					print "-" substr(a, j, 1)
		}
	}' "$2" | sort -u
}
synopsis() { flags SYNOPSIS "$1"; }
described() { flags DESCRIPTION "$1"; }

# bcomp TOOL WORDS...: what bash completion offers for the last of WORDS
# on the command line "TOOL WORDS...", one a line, sorted.
bcomp() {
	bash -c '
	. "$1" || exit 1
	shift
	f=_$(printf %s "$1" | tr - _)
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	"$f" || exit 1
	((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"
	exit 0' bcomp "$B" "$@" | sort
}

# missing FLAGS LIST: the FLAGS (a file, one a line) not in LIST (a file),
# as "# " lines on stdout; fails when there are any.
missing() {
	m_out=$(grep -vxF -f "$2" "$1")
	[ -z "$m_out" ] && return 0
	printf '%s\n' "$m_out" | sed 's/^/#   not completed: /'
	return 1
}

# The page reader itself, on pages it must read right.
printf '%s\n' -0 -b -d -k -n -p | sort > "$T/want"
synopsis "$TOP/man/a0-chunk.1" > "$T/got"
ok "SYNOPSIS reader: a0-chunk's flags" cmp -s "$T/want" "$T/got"
printf '%s\n' --no-dup -f -n -q -r | sort > "$T/want"
synopsis "$TOP/man/a0-validate.1" > "$T/got"
ok "SYNOPSIS reader: a0-validate's, Fl \\-no-dup included" \
    cmp -s "$T/want" "$T/got"
cat > "$T/page" <<'EOF'
.Sh SYNOPSIS
.Op Fl Fl upsert Ns Op = Ns Ar bool
.Op Fl -debug
.Sh DESCRIPTION
.Fl x
in the text is not an option's entry.
.Bl -tag -width Ds
.It Fl 0 , Fl Fl null
.It Fl d Ar dir , Fl \-directory Ns = Ns Ar dir
.El
EOF
printf '%s\n' --debug --upsert > "$T/want"
synopsis "$T/page" > "$T/got"
ok "SYNOPSIS reader: Fl Fl and Fl -" cmp -s "$T/want" "$T/got"
printf '%s\n' --directory --null -0 -d | sort > "$T/want"
described "$T/page" > "$T/got"
ok "DESCRIPTION reader: the .It entries" cmp -s "$T/want" "$T/got"

# Every page's SYNOPSIS flags are offered after "-" in bash.
for page in "$TOP"/man/a0-*.1; do
	tool=${page##*/}
	tool=${tool%.1}
	synopsis "$page" > "$T/$tool.flags"
	described "$page" > "$T/$tool.desc"
	check "bash: $tool - completes" 0 '' - '' bcomp "$tool" "$tool" -
	ok "... every flag of $tool(1)'s SYNOPSIS" \
	    missing "$T/$tool.flags" "$T/out"
	check "... exactly the flags $tool(1) describes" 0 '' \
	    "$T/$tool.desc" '' bcomp "$tool" "$tool" -
done

# Every installed tool has a page and a completion, registered by name.
for p in "$TOP"/bin/a0-*; do
	tool=${p##*/}
	case $tool in *.tmp) continue ;; esac
	ok "$tool has a manual page" test -f "$TOP/man/$tool.1"
	check "$tool: bash completion registered for it" 0 '' - '' \
	    bash -c '. "$1" && complete -p "$2"' sh "$B" "$tool"
done

# What each kind of argument completes to.
mkdir "$T/dir" "$T/dir2"
: > "$T/dfile"
a0-template -l | cut -f 1 | sort > "$T/templates"
check "bash: a0-import -t: the template names of a0-template -l" 0 '' \
    "$T/templates" '' bcomp a0-import a0-import -t ''
check "bash: a0-import --template=: the same" 0 '' \
    "$T/templates" '' bcomp a0-import a0-import --template = ''
echo basic > "$T/want"
check "bash: a0-template b: basic" 0 '' "$T/want" '' \
    bcomp a0-template a0-template b
printf '%s\n' "$T/dir" "$T/dir2" > "$T/want"
check "bash: a0-chunk -d: directories only" 0 '' "$T/want" '' \
    bcomp a0-chunk a0-chunk -d "$T/d"
printf '%s\n' "$T/dfile" "$T/dir" "$T/dir2" > "$T/want"
check "bash: a0-validate FILE: file names" 0 '' "$T/want" '' \
    bcomp a0-validate a0-validate "$T/d"
check "bash: a0-submit -s: file names" 0 '' "$T/want" '' \
    bcomp a0-submit a0-submit -s "$T/d"
printf '%s\n' json text > "$T/want"
check "bash: a0-validate -f: text, json" 0 '' "$T/want" '' \
    bcomp a0-validate a0-validate -f ''
printf '%s\n' false true > "$T/want"
check "bash: a0-submit --upsert=: true, false" 0 '' "$T/want" '' \
    bcomp a0-submit a0-submit --upsert = ''
check "bash: a0-import -u takes JSON text: no file names" 0 '' '' '' \
    bcomp a0-import a0-import -u "$T/d"
check "bash: a0-chunk -b takes a number: nothing" 0 '' '' '' \
    bcomp a0-chunk a0-chunk -b ''
check "bash: a0-import takes no operand: its flags, without a -" 0 '' \
    "$T/a0-import.desc" '' bcomp a0-import a0-import ''
if [ -f /usr/share/bash-completion/bash_completion ]; then
	printf '%s\n' "$T/dir" "$T/dir2" > "$T/want"
	check "bash, with bash-completion loaded: a0-chunk -d" 0 '' \
	    "$T/want" '' bash -c '
	    . /usr/share/bash-completion/bash_completion && . "$1" || exit 1
	    COMP_WORDS=(a0-chunk -d "$2/d"); COMP_CWORD=2; _a0_chunk
	    printf "%s\n" "${COMPREPLY[@]}" | sort' sh "$B" "$T"
else
	skip "bash-completion is not installed"
fi

# zsh: the file parses, compinit binds it to every tool, and listing the
# choices after "TOOL -" shows every SYNOPSIS flag.
if ! command -v zsh > /dev/null; then
	skip "zsh is not installed"
	done_testing
	exit
fi
check "zsh: _a0 parses" 0 '' '' '' zsh -n "$Z"
cat > "$T/list.zsh" <<'EOF'
# list.zsh FPATH LINE: the choices zsh lists for LINE, in an interactive
# zsh on a pseudo-terminal.  Each read waits for a marker, not for a time:
# the line is typed once the prompt shows (zle reads it, not the tty).
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "PS1='Q> '; fpath=(${(q)1} \$fpath); autoload -Uz compinit"
zpty -w z "compinit -u -D; zle -C a0-list list-choices _main_complete"
zpty -w z "bindkey '^T' a0-list; print AAA\$((4 - 1))"
zpty -r z out '*AAA3*Q> *' || exit 1
zpty -w -n z "$2"$'\C-T\C-U'
zpty -w z 'print ZZZ$((4 - 1))'
zpty -r z out '*ZZZ3*' || exit 1
zpty -d z
print -r -- "$out"
EOF
esc=$(printf '\033')
for page in "$TOP"/man/a0-*.1; do
	tool=${page##*/}
	tool=${tool%.1}
	check "zsh: compinit binds $tool to _a0" 0 '' - '' zsh -f -c '
	    fpath=($1 $fpath); autoload -Uz compinit; compinit -u -D
	    [[ $_comps[$2] == _a0 ]]' sh "$TOP/completion" "$tool"
	check "zsh: $tool - lists choices" 0 '' - '' \
	    timeout 60 zsh -f "$T/list.zsh" "$TOP/completion" "$tool -"
	tr -d '\r' < "$T/out" | sed "s/$esc\\[[0-9;?]*[A-Za-z]//g" |
	    tr -s ' ,' '\n\n' | grep -E '^--?[A-Za-z0-9]' |
	    sort -u > "$T/zsh.$tool"
	ok "... every flag of $tool(1)'s SYNOPSIS" \
	    missing "$T/$tool.flags" "$T/zsh.$tool"
	check "... exactly the flags $tool(1) describes" 0 "$T/zsh.$tool" \
	    "$T/$tool.desc" '' cat
done
check "zsh: a0-import -t lists the templates" 0 '' - '' \
    timeout 60 zsh -f "$T/list.zsh" "$TOP/completion" "a0-import -t "
tr -d '\r' < "$T/out" | sed "s/$esc\\[[0-9;?]*[A-Za-z]//g" |
    awk '$2 == "--" { print $1 }' | sort > "$T/got"
check "... those of a0-template -l" 0 "$T/got" "$T/templates" '' cat
check "zsh: a0-chunk -d lists directories only" 0 '' - '' \
    timeout 60 zsh -f "$T/list.zsh" "$TOP/completion" "a0-chunk -d $T/d"
cp "$T/out" "$T/zout"
ok "... dir/ and dir2/" grep -Eq '(^|[^a-z0-9])dir/ +dir2/' "$T/zout"
check "... not the file" 1 "$T/zout" '' '' grep dfile

done_testing
