#!/bin/sh
# make deb: the Debian package builds with Debian's tools, lintian finds
# nothing to say, it holds what "make install PREFIX=/usr" installs, and
# its tools run from a root it is unpacked into.
. "${0%/*}/lib.sh"

for t in dpkg-buildpackage dh dpkg-deb lintian; do
	command -v $t > /dev/null ||
	    skip_all "$t is not installed (apt-get install dpkg-dev debhelper lintian)"
done
unset MAKEFLAGS MFLAGS MAKELEVEL

# treestate: the files of the source tree made or changed since $T/stamp.
treestate() {
	(cd "$TOP" && find . -path ./.git -prune -o -newer "$T/stamp" -print |
	    sort)
}
: > "$T/stamp"
check "make deb" 0 '' - - make -C "$TOP" deb DEBDIR="$T/deb" ||
    tail -30 "$T/out" | sed 's/^/#   stdout: /'
deb=$(ls "$T"/deb/a0_*.deb 2> /dev/null)
ok "... a0_VERSION_ARCH.deb, where DEBDIR says" test -f "$deb"
[ -f "$deb" ] || { done_testing; exit; }
treestate > "$T/changed"
check "... nothing in the source tree made or changed" 0 "$T/changed" '' '' \
    cat

check "lintian: no error, no warning without an override" 0 '' '' - \
    lintian --fail-on error,warning "$deb"

R=$T/root
check "dpkg-deb -x" 0 '' '' '' dpkg-deb -x "$deb" "$R"
version=$(dpkg-deb -f "$deb" Version)
depends=$(dpkg-deb -f "$deb" Depends)

# The library dependencies are dpkg-shlibdeps', computed from the
# programs: debian/control names none.
has() { case ", $1," in *", $2 "* | *", $2,"*) ;; *) return 1 ;; esac; }
ok "Depends: libc6, from the programs" has "$depends" libc6
ok "Depends: libcurl4, from the programs" has "$depends" libcurl4
check "... debian/control names no library" 1 '' '' '' \
    grep -E '^Depends:.*[ ,]lib' "$TOP/debian/control"

# Build-Depends names the -dev package of each library the Makefile links
# and of each header the code includes, apart from libc's.
bdeps=$(sed -n '/^Build-Depends:/{
:a
p
n
/^[ \t]/ba
}' "$TOP/debian/control" | tr '\n' ' ')
triplet=$(cc -dumpmachine)
{
	for l in $(grep -oE '[[:space:]]-l[A-Za-z0-9_]+' "$TOP/Makefile" |
	    sort -u); do
		so=$(cc -print-file-name="lib${l#-l}.so")
		[ -e "$so" ] || { echo "$l ?"; continue; }
		echo "$l $(cd "${so%/*}" && pwd -P)/${so##*/}"
	done
	cat "$TOP"/common/*.[ch] "$TOP"/tools/*.[ch] |
	    sed -n 's/^#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*/\1/p' |
	    sort -u | while read -r h; do
		for d in /usr/include/$triplet /usr/include; do
			[ -e "$d/$h" ] && { echo "<$h> $d/$h"; break; }
		done
	done
} > "$T/uses"
while read -r what path; do
	pkg=$(dpkg -S "$path" 2> /dev/null | sed -n '1s/[:,].*//p')
	case $pkg in libc6-dev | linux-libc-dev | libgcc-*) continue ;; esac
	case " $bdeps " in
	*[\ ,\|]"$pkg"[\ ,\(]*) in=yes ;;
	*) in=no ;;
	esac
	ok "$what: ${pkg:-no package} in Build-Depends: $in" test "$in" = yes
done < "$T/uses"

# Each program a script of the package runs that is not Essential is in
# Depends, and each command Depends names is run by one of its scripts.
# A command is run where a command starts: a line, a pipe, a list, $(.
cmdpos='(^|[|;&`]|\$\(|(then|do|else|exec)[[:space:]])[[:space:]]*'
for cmd in curl jq python3; do
	used=no
	for f in "$R"/usr/bin/* "$R"/usr/share/a0/*; do
		head -c 2 "$f" | grep -q '#!' || continue
		grep -v '^[[:space:]]*#' "$f" |
		    grep -qE "$cmdpos$cmd([[:space:]]|\$)" && used=yes
	done
	listed=no
	has "$depends" "$cmd" && listed=yes
	ok "$cmd: run by a packaged script: $used; in Depends: $listed" \
	    test "$used" = "$listed"
done

# What make install puts under DESTDIR with debian/rules' PREFIX and
# ZSHCOMPDIR is the package, apart from what dh adds (changelog,
# copyright, lintian overrides) and the man pages' .gz.
check "make install PREFIX=/usr DESTDIR=..." 0 '' - - \
    make -C "$TOP" install PREFIX=/usr DESTDIR="$T/inst" \
    ZSHCOMPDIR=/usr/share/zsh/vendor-completions
(cd "$T/inst" && find . ! -type d | sort) > "$T/inst.list"
(cd "$R" && find . ! -type d | sed 's/\.gz$//' |
    grep -vx -e ./usr/share/doc/a0/changelog -e ./usr/share/doc/a0/copyright \
    -e ./usr/share/lintian/overrides/a0 |
    sort) > "$R.list"
check "the package holds what make install installs" 0 "$R.list" \
    "$T/inst.list" '' cat

# Each program, from the unpacked root.
ls "$R/usr/bin" > "$T/tools"
ok "the package has programs" grep -qx a0-chunk "$T/tools"
while read -r tool; do
	echo "$tool $version" > "$T/want"
	check "$tool --version: $version, the package's" 0 '' "$T/want" '' \
	    "$R/usr/bin/$tool" --version
	ok "... its manual page" test -f "$R/usr/share/man/man1/$tool.1.gz"
	ok "... bash completion, under its name" \
	    test -f "$R/usr/share/bash-completion/completions/$tool"
	ok "... zsh completion" grep -q "^#compdef.* $tool\\( \\|\$\\)" \
	    "$R/usr/share/zsh/vendor-completions/_a0"
done < "$T/tools"

# The completion is where bash-completion and zsh look for a package's.
bc=/usr/share/bash-completion/bash_completion
if [ -f "$bc" ]; then
	check "bash-completion loads a0-chunk's from the package" 0 '' - '' \
	    env XDG_DATA_DIRS="$R/usr/share" bash -c '. "$1" &&
	    __load_completion a0-chunk && complete -p a0-chunk' sh "$bc"
	ok "... _a0_chunk" grep -q ' _a0_chunk a0-chunk$' "$T/out"
else
	skip "bash-completion is not installed"
fi
if command -v zsh > /dev/null; then
	d=/usr/share/zsh/vendor-completions
	check "zsh's default fpath holds $d" 0 '' '' '' \
	    zsh -f -c '(( ${fpath[(Ie)$1]} ))' sh "$d"
	check "... and compinit finds _a0 in the package's" 0 '' '' '' \
	    zsh -f -c 'fpath=($1 $fpath); autoload -Uz compinit
	    compinit -u -D; [[ $_comps[a0-chunk] == _a0 ]]' sh "$R$d"
else
	skip "zsh is not installed"
fi

# The pipeline, from the package alone.
PATH=$R/usr/bin:/usr/bin:/bin
export PATH
printf '%s\n' "$T/chunks/chunk-000001.json" > "$T/want"
mkdir "$T/chunks"
check "a0-template | a0-validate | a0-chunk, from the package" 0 '' \
    "$T/want" '' sh -c 'a0-template | a0-validate | a0-chunk -d "$1"' \
    sh "$T/chunks"
"$TOP/bin/a0-template" | "$TOP/bin/a0-chunk" -d "$T" -p tree- > /dev/null
ok "... the chunk the tree's tools write" \
    cmp -s "$T/tree-000001.json" "$T/chunks/chunk-000001.json"

# a0-import, from the package, runs the package's tools (and curl).
if emu_start --job-seconds 0.1; then
	check "a0-import -t basic, from the package, into the emulator" 0 '' \
	    - - a0-import -c Username-Password-Authentication -t basic \
	    --no-input
	ok "... the users are in the tenant" test -n "$(emu_emails)"
	mkdir -p "$T/spool/incoming"
	a0-template -n 3 > "$T/spool/incoming/u.json"
	check "the package's cron-import.sh, cron's PATH: imports the spool" \
	    0 '' '' '' env PATH=/usr/bin:/bin "$R/usr/share/a0/cron-import.sh" \
	    "$T/spool"
	ok "... the file is done" test -f "$T/spool/done/u.json"
else
	skip "the emulator did not start"
fi

# The paths the manual pages and the examples name exist in the package
# (PREFIX /usr: /usr/local/X is /usr/X there).
for f in "$TOP"/man/*.[1-8] "$R"/usr/share/doc/a0/examples/*; do
	grep -oE '/usr/[A-Za-z0-9_./-]*[A-Za-z0-9_/]' "$f"
done | sort -u > "$T/paths"
ok "the pages and examples name /usr paths" test -s "$T/paths"
while read -r path; do
	case $path in
	/usr/local | /usr/local/) continue ;;
	/usr/local/*) want=/usr${path#/usr/local} ;;
	*) want=$path ;;
	esac
	ok "$path: $want is in the package" test -e "$R$want"
done < "$T/paths"

done_testing
