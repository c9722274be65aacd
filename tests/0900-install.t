#!/bin/sh
# make install: the programs, manual pages, examples and completion land
# where they are looked for, and every path a manual page or an example
# tells the user to run exists once installed.
. "${0%/*}/lib.sh"

unset MAKEFLAGS MFLAGS MAKELEVEL
D=$T/dest
P=/usr/local
check "make install PREFIX=$P DESTDIR=..." 0 '' - - \
    make -C "$TOP" install PREFIX="$P" DESTDIR="$D"
R=$D$P

# Each tool: the program, its page, its completion under its name.
for p in "$TOP"/bin/a0-*; do
	tool=${p##*/}
	case $tool in *.tmp) continue ;; esac
	check "$tool installed and runs" 0 '' - '' "$R/bin/$tool" --version
	ok "... its manual page" test -f "$R/share/man/man1/$tool.1"
	ok "... bash completion, under its name" \
	    test -f "$R/share/bash-completion/completions/$tool"
	ok "... zsh completion" grep -q "^#compdef.* $tool\\( \\|\$\\)" \
	    "$R/share/zsh/site-functions/_a0"
done
ok "a0(7)" test -f "$R/share/man/man7/a0.7"

# The completion is where bash-completion and zsh look for PREFIX's.
bc=/usr/share/bash-completion/bash_completion
if [ -f "$bc" ]; then
	check "bash-completion loads a0-chunk's from $P/share" 0 '' - '' \
	    env XDG_DATA_DIRS="$R/share" bash -c '. "$1" &&
	    __load_completion a0-chunk && complete -p a0-chunk' sh "$bc"
	ok "... _a0_chunk" grep -q ' _a0_chunk a0-chunk$' "$T/out"
	check "... $P/share is in its default path" 0 '' - '' \
	    grep -F "XDG_DATA_DIRS:-$P/share:" "$bc"
else
	skip "bash-completion is not installed"
fi
if command -v zsh > /dev/null; then
	check "zsh's default fpath holds $P/share/zsh/site-functions" 0 '' '' \
	    '' zsh -f -c '(( ${fpath[(Ie)$1]} ))' sh "$P/share/zsh/site-functions"
	check "... and compinit finds _a0 there" 0 '' '' '' zsh -f -c '
	    fpath=($1 $fpath); autoload -Uz compinit; compinit -u -D
	    [[ $_comps[a0-chunk] == _a0 ]]' sh "$R/share/zsh/site-functions"
else
	skip "zsh is not installed"
fi
for f in cron-import.sh migrate-export.sh users.json export.ndjson; do
	ok "example $f" test -f "$R/share/doc/a0/examples/$f"
done

# docpaths: the /usr paths the manual pages and the installed examples
# name, one a line.
docpaths() {
	for f in "$TOP"/man/*.[1-8] "$R"/share/doc/a0/examples/*; do
		grep -oE '/usr/[A-Za-z0-9_./-]*[A-Za-z0-9_/]' "$f"
	done | sort -u
}
docpaths > "$T/paths"
ok "the pages and examples name /usr paths" test -s "$T/paths"
while read -r path; do
	case $path in
	/usr/local | /usr/local/) continue ;;
	/usr/local/*) want=$path ;;
	*) want=/usr/local${path#/usr} ;;
	esac
	ok "$path: $want exists after make install" test -e "$D$want"
done < "$T/paths"

# docprogs: the a0 programs the command lines of the manual pages
# (.Bd -literal blocks, .Dl and .Ql) and the installed examples run, one
# a line.
docprogs() {
	{
		awk '/^\.Bd -literal/ { lit = 1; next }
		    /^\.Ed/ { lit = 0 }
		    lit || /^\.(Dl|Ql) /' "$TOP"/man/*.[1-8]
		cat "$R"/share/doc/a0/examples/*
	} | grep -oE '(^|[^A-Za-z0-9_./-])a0-[a-z]+([^A-Za-z0-9_.-]|$)' |
	    grep -oE 'a0-[a-z]+' | sort -u
}
docprogs > "$T/progs"
ok "the pages and examples run a0 programs" grep -qx a0-chunk "$T/progs"
while read -r prog; do
	ok "$prog, run in a page or an example, is installed" \
	    test -x "$R/bin/$prog"
done < "$T/progs"

# The installed cron script runs the tools installed with it, whatever
# cron's PATH.
emu_start --job-seconds 0.1 || skip_all "emulator did not start"
mkdir -p "$T/spool/incoming"
a0-template basic > "$T/spool/incoming/u.json"
check "installed cron-import.sh, cron's PATH: imports the spool" 0 '' '' '' \
    env PATH=/usr/bin:/bin "$R/share/a0/cron-import.sh" "$T/spool"
ok "... the file is done" test -f "$T/spool/done/u.json"

check "make uninstall" 0 '' - - \
    make -C "$TOP" uninstall PREFIX="$P" DESTDIR="$D"
find "$D" ! -type d > "$T/left"
check "... leaves no file" 0 "$T/left" '' '' cat

done_testing
