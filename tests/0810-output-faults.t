#!/bin/sh
# Output faults: a full disk and a read-only or unwritable directory give
# exit 3 with the reason and leave no partial file under a final name; a
# closed stdout ends every tool promptly and quietly; a failed write to
# stdout is never exit 0.
. "${0%/*}/lib.sh"

# ---- stdout is /dev/full: never exit 0 ----
printf '[{"email":"a@example.com"}]\n' > "$T/one.json"
S="a0-submit --dry-run -C con_A0EmulatorDb0001"
while IFS='|' read -r desc cmd; do
	check "/dev/full: $desc" 3 '' '' \
	    '(No space left on device|I/O error)$' \
	    sh -c "$cmd > /dev/full"
done <<EOF
a0-template|a0-template -n 3
a0-template -l|a0-template -l
a0-template -V|a0-template -V
a0-template -h|a0-template -h
a0-validate|a0-validate $T/one.json
a0-validate -V|a0-validate -V
a0-validate -h|a0-validate -h
a0-chunk|a0-chunk -d $T/full-o $T/one.json
a0-chunk -V|a0-chunk -V
a0-chunk -h|a0-chunk -h
a0-submit --dry-run|$S $T/one.json
a0-submit -V|a0-submit -V
a0-submit -h|a0-submit -h
a0-import -V|a0-import -V
a0-import -h|a0-import -h
EOF

# whole DIR REF: every file in DIR is a chunk, the same as in REF.
whole() {
	for w_f in "$1"/*; do
		[ -e "$w_f" ] || continue
		case ${w_f##*/} in
		chunk-[0-9][0-9][0-9][0-9][0-9][0-9].json) ;;
		*) echo "#   not a chunk: $w_f"; return 1 ;;
		esac
		cmp -s "$w_f" "$2/${w_f##*/}" ||
		    { echo "#   not whole: $w_f"; return 1; }
	done
}

# lines FILE N: FILE has N lines, and N > 0.
lines() { [ "$(wc -l < "$1")" -eq "$2" ] && [ "$2" -gt 0 ]; }

# ---- a closed stdout: prompt and quiet ----
# Enough output that the tool is still writing when head(1) is gone.
a0-template -n 20000 > "$T/users.json"
mkdir "$T/ck"
(cd "$T/ck" && a0-chunk -b 4K < "$T/users.json" > "$T/chunks")
nchunks=$(wc -l < "$T/chunks")
ok "closed stdout: $nchunks chunks to read" [ "$nchunks" -gt 500 ]
# closed TOOL...: TOOL's stdout is a pipe that head(1) closes after one
# byte; TOOL must end well within the timeout, not exit 0 (it could not
# write everything), and say nothing on stderr.
closed() {
	c_desc=$1
	shift
	{ timeout 30 "$@" 2> "$T/err"; echo $? > "$T/st"; } | head -c 1 \
	    > "$T/head"
	c_st=$(cat "$T/st")
	t_n=$((t_n + 1))
	if [ "$c_st" -ne 0 ] && [ "$c_st" -ne 124 ] && [ ! -s "$T/err" ] &&
	    [ -s "$T/head" ]; then
		echo "ok $t_n - closed stdout: $c_desc (exit $c_st)"
		return
	fi
	echo "not ok $t_n - closed stdout: $c_desc"
	echo "#   exit $c_st"
	sed 's/^/#   stderr: /' "$T/err"
	t_failed=$((t_failed + 1))
}
closed "a0-template -n 10000000" a0-template -n 10000000
closed "a0-validate" a0-validate "$T/users.json"
closed "a0-validate -f json" a0-validate -f json "$T/users.json"
mkdir "$T/cl"
closed "a0-chunk" a0-chunk -b 4K -d "$T/cl" "$T/users.json"
ok "closed stdout: a0-chunk left only whole chunks" whole "$T/cl" "$T/ck"
# (The paths come on a pipe, as from a0-chunk.)
head -3 "$T/chunks" > "$T/three"
check "a0-submit --dry-run: paths on a pipe" 0 '' '-' '' \
    sh -c "cd '$T/ck' && cat '$T/three' | $S"
ok "a0-submit --dry-run: paths on a pipe: three lines" lines "$T/out" 3
closed "a0-submit --dry-run" sh -c "cd '$T/ck' && cat '$T/chunks' | exec $S"

# ---- a full disk, a read-only file system ----
if [ "$(id -u)" != 0 ]; then
	skip "full disk: not root, cannot mount a small tmpfs"
	skip "read-only file system: not root, cannot mount a tmpfs"
	done_testing
	exit
fi
mkdir "$T/small" "$T/ro"
if ! mount -t tmpfs -o size=1m,mode=0755 tmpfs "$T/small"; then
	skip "full disk: mount -t tmpfs failed"
	done_testing
	exit
fi
if ! mount -t tmpfs -o size=1m,mode=0755 tmpfs "$T/ro"; then
	umount "$T/small"
	skip "read-only file system: mount -t tmpfs failed"
	done_testing
	exit
fi
trap 'umount "$T/small"; umount "$T/ro"; t_cleanup' EXIT
mkdir "$T/ro/d"
mount -o remount,ro "$T/ro"
ok "read-only file system mounted" sh -c "touch '$T/ro/x' 2>&1 |
    grep -q 'Read-only file system'"

# a0-chunk fills the disk with 3 MB of chunks: the last one fails; those
# before it are whole and are the ones listed on stdout.
check "a0-chunk: full disk" 3 "$T/users.json" '-' \
    "^a0-chunk: $T/small/o/chunk-[0-9]+\\.json: No space left on device$" \
    a0-chunk -b 64K -d "$T/small/o"
n=$(ls "$T/small/o" | wc -l)
ok "a0-chunk: full disk: $n chunks listed, $n left" lines "$T/out" "$n"
mkdir "$T/ck64"
(cd "$T/ck64" && a0-chunk -b 64K < "$T/users.json" > "$T/ck64.list")
ok "a0-chunk: full disk: each file left is a whole chunk" \
    whole "$T/small/o" "$T/ck64"
rm -rf "$T/small/o"

# a0-validate: rejects on a full disk; stdout on a full disk.
sed 's/"email":/"emale":/' "$T/users.json" > "$T/bad.json"
check "a0-validate: rejects on a full disk" 3 "$T/bad.json" '' \
    "a0-validate: $T/small/rejects: No space left on device$" \
    a0-validate -q -r "$T/small/rejects"
ok "a0-validate: full disk: no rejects file, no temporary file" \
    [ -z "$(ls -A "$T/small")" ]
check "a0-validate: stdout on a full disk" 3 '' '' \
    "^a0-validate: stdout: No space left on device$" \
    sh -c "a0-validate '$T/users.json' > '$T/small/out'"
rm -f "$T/small/out"

# Read-only: a new -d directory, an existing one, the rejects file.
check "a0-chunk: read-only, new directory" 3 "$T/one.json" '' \
    "^a0-chunk: $T/ro/new: Read-only file system$" a0-chunk -d "$T/ro/new"
check "a0-chunk: read-only directory" 3 "$T/one.json" '' \
    "^a0-chunk: $T/ro/d/chunk-000001\\.json: Read-only file system$" \
    a0-chunk -d "$T/ro/d"
check "a0-validate: read-only rejects" 3 "$T/bad.json" '' \
    "^a0-validate: $T/ro/rejects: Read-only file system$" \
    a0-validate -q -r "$T/ro/rejects"

# a0-submit: a journal or rejects file it cannot write stops it before
# anything is sent.
if emu_start --job-seconds 0.2; then
	head -c 1048576 /dev/zero > "$T/small/fill"
	check "a0-submit: journal on a full disk" 3 '' '' \
	    "^a0-submit: $T/small/state: No space left on device$" \
	    a0-submit -c Username-Password-Authentication \
	    -s "$T/small/state" "$T/ck/chunk-000001.json"
	rm -f "$T/small/fill" "$T/small/state"
	check "a0-submit: journal on a read-only file system" 3 '' '' \
	    "^a0-submit: $T/ro/state: Read-only file system$" \
	    a0-submit -c Username-Password-Authentication \
	    -s "$T/ro/state" "$T/ck/chunk-000001.json"
	check "a0-submit: rejects on a read-only file system" 3 '' '' \
	    "^a0-submit: $T/ro/rejects: Read-only file system$" \
	    a0-submit -c Username-Password-Authentication \
	    -r "$T/ro/rejects" "$T/ck/chunk-000001.json"
	emu_get /__emulator/stats > "$T/stats"
	ok "a0-submit: nothing was posted" \
	    sh -c "! grep -q 'users-imports' '$T/stats'"
	emu_stop
else
	skip "emulator did not start"
fi

# ---- permission denied (root ignores modes: run as nobody) ----
if command -v setpriv > /dev/null &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups true; then
	NB="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	chmod 711 "$T"
	mkdir -m 555 "$T/acc"
	check "a0-chunk: unwritable directory" 3 "$T/one.json" '' \
	    "^a0-chunk: $T/acc/chunk-000001\\.json: Permission denied$" \
	    $NB a0-chunk -d "$T/acc"
	check "a0-chunk: unwritable parent" 3 "$T/one.json" '' \
	    "^a0-chunk: $T/acc/new: Permission denied$" \
	    $NB a0-chunk -d "$T/acc/new"
	check "a0-validate: unwritable rejects" 3 "$T/bad.json" '' \
	    "^a0-validate: $T/acc/rejects: Permission denied$" \
	    $NB a0-validate -q -r "$T/acc/rejects"
	ok "unwritable directory: still empty" [ -z "$(ls -A "$T/acc")" ]
	chmod 700 "$T"
else
	skip "setpriv cannot run as nobody: no permission check"
fi

done_testing
