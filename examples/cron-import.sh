#!/bin/sh
# cron-import.sh: the nightly import of the user files an upstream system
# drops into a spool directory.  For cron:
#
#	30 2 * * *  . /etc/a0.env; /usr/local/share/a0/cron-import.sh /var/spool/a0
#
# "make install" puts it in /usr/local/share/a0/ (PREFIX/share/a0/), the
# Debian package in /usr/share/a0/; it runs the a0 tools installed with
# it, whatever cron's PATH.
#
#	usage: cron-import.sh [-U] [-c connection] spool
#
# SPOOL/incoming/*.json and *.ndjson are imported in name order, each
# through a0-validate | a0-chunk | a0-submit with a journal
# (SPOOL/state/NAME.journal), so that a run cut short by a crash, a reboot
# or the network is resumed by the next one: finished chunks are skipped,
# running jobs followed, and no chunk is ever posted twice.  A lock
# (SPOOL/lock, made by mkdir, which is atomic) keeps two runs from
# overlapping; a lock left by a run that died is taken over.
#
# A file whose import finished (status 0 or 1) moves to SPOOL/done/, its
# rejected records (SPOOL/rejects/NAME.rejects.json, to fix and drop into
# incoming/ again) and failed users (SPOOL/rejects/NAME.failed.jsonl) next
# to it.  A file that could not be finished stays in incoming/ for the next
# run.
#
# Silent when everything was imported.  Otherwise a report on stdout (cron
# mails it) and the exit status of a0(7), the worst of all files: 1 some
# users rejected, 3 an input or disk error, 4 the tenant refused (fix its
# setup), 5 a temporary failure (the next run resumes), and 5 too when
# another run still holds the lock.
#
# Credentials: AUTH0_DOMAIN, and AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET or
# AUTH0_API_TOKEN, from the environment.

prog=cron-import.sh
# Installed as PREFIX/share/a0/cron-import.sh: the tools are in PREFIX/bin.
case $0 in
*/share/a0/cron-import.sh) PATH=${0%/share/a0/*}/bin:$PATH ;;
esac
export PATH
conn=Username-Password-Authentication
upsert=false
while getopts c:U opt; do
	case $opt in
	c) conn=$OPTARG ;;
	U) upsert=true ;;
	*)
		echo "usage: $prog [-U] [-c connection] spool" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ]; then
	echo "usage: $prog [-U] [-c connection] spool" >&2
	exit 2
fi
spool=$1
umask 077
mkdir -p "$spool/incoming" "$spool/state" "$spool/done" "$spool/rejects" ||
    exit 3

# The lock: a directory holding the owner's pid.
lock=$spool/lock
if ! mkdir "$lock" 2> /dev/null; then
	owner=$(cat "$lock/pid" 2> /dev/null)
	if [ -n "$owner" ] && kill -0 "$owner" 2> /dev/null; then
		echo "$prog: $lock: another run (pid $owner) is still importing"
		exit 5
	fi
	# Left by a run that died: take it over.
	rm -rf "$lock"
	if ! mkdir "$lock" 2> /dev/null; then
		echo "$prog: $lock: another run took the lock"
		exit 5
	fi
fi
echo $$ > "$lock/pid"
trap 'rm -rf "$lock"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# worse A B: the worse of two exit statuses: 2, 3, 4, 5, 1, then 0.
worse() {
	for w in 2 3 4 5 1; do
		if [ "$1" -eq "$w" ] || [ "$2" -eq "$w" ]; then
			echo "$w"
			return
		fi
	done
	echo 0
}

# stage_status FILE: a stage's exit status; 141 (SIGPIPE) when the stage
# died before writing it.
stage_status() {
	if [ -s "$1" ]; then cat "$1"; else echo 141; fi
}

# import FILE: import one file; sets rc to its exit status.
import() {
	name=${1##*/}
	work=$spool/state/$name.d
	rm -rf "$work/chunks"
	mkdir -p "$work/chunks" || { rc=3; return; }
	stamp=$(date +%Y%m%dT%H%M%S)
	{
		a0-validate -r "$work/rejects.json" "$1"
		echo $? > "$work/st.val"
	} 2>> "$work/log" | {
		a0-chunk -d "$work/chunks"
		echo $? > "$work/st.chk"
	} 2>> "$work/log" | {
		a0-submit -c "$conn" --upsert="$upsert" --email-results=false \
		    -s "$spool/state/$name.journal" -r "$work/failed.$stamp.jsonl"
		echo $? > "$work/st.sub"
	} 2>> "$work/log" >> "$work/results.jsonl"

	# The worst status, not counting a stage killed by SIGPIPE because
	# a later one gave up.
	rc=0
	later=0
	for s in sub chk val; do
		s=$(stage_status "$work/st.$s")
		[ "$s" -gt 128 ] && [ "$later" -ne 0 ] && continue
		case $s in [0-5]) ;; *) s=3 ;; esac
		[ "$s" -eq 0 ] || later=1
		rc=$(worse "$rc" "$s")
	done
}

# report FILE STATUS: what happened to FILE, for the mail.
report() {
	awk -v name="$1" -v rc="$2" '
	{
		for (k = split("inserted updated failed total", f, " "); k; k--)
			if (match($0, "\"" f[k] "\":[0-9]+")) {
				v = substr($0, RSTART, RLENGTH); sub(/.*:/, "", v)
				sum[f[k]] += v
			}
		jobs++
	}
	END {
		printf "%s: exit %d: %d jobs, %d inserted, %d updated, " \
		    "%d failed of %d\n", name, rc, jobs, sum["inserted"], \
		    sum["updated"], sum["failed"], sum["total"]
	}' "$work/results.jsonl"
	sed 's/^/    /' "$work/log" | head -50
}

status=0
for f in "$spool"/incoming/*.json "$spool"/incoming/*.ndjson; do
	[ -f "$f" ] || continue
	import "$f"
	case $rc in
	0 | 1)
		name=${f##*/}
		[ "$rc" -eq 0 ] || report "$name" "$rc"
		if [ -s "$work/rejects.json" ]; then
			mv "$work/rejects.json" "$spool/rejects/$name.rejects.json"
		fi
		cat "$work"/failed.*.jsonl > "$spool/rejects/$name.failed.jsonl"
		[ -s "$spool/rejects/$name.failed.jsonl" ] ||
		    rm -f "$spool/rejects/$name.failed.jsonl"
		mv "$f" "$spool/done/$name" &&
		    rm -rf "$work" "$spool/state/$name.journal"
		;;
	*)
		report "${f##*/}" "$rc"
		echo "    left in $spool/incoming for the next run"
		;;
	esac
	status=$(worse "$status" "$rc")
done
exit "$status"
