# bash completion for the a0 tools: a0-template, a0-validate, a0-chunk,
# a0-submit, a0-import, a0-export, a0-convert and a0-connections.
# Installed once as completions/a0 and linked under each tool's name,
# where bash-completion looks for it.  The flags are those of each tool's
# manual page; template names come from "a0-template -l".

# _a0_init: sets cur (the word being completed) and prev (the word before
# it; "--flag=" when completing the value of --flag=value).
_a0_init()
{
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	if ((COMP_CWORD > 0)); then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi
	if [[ $cur == '=' && $prev == --* ]]; then
		# COMP_WORDBREAKS holds "=": the words are --flag, =, "".
		prev=$prev=
		cur=
	elif [[ $prev == '=' ]] && ((COMP_CWORD > 1)) &&
	    [[ ${COMP_WORDS[COMP_CWORD - 2]} == --* ]]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}=
	elif [[ $cur == --*=* ]]; then
		# COMP_WORDBREAKS lacks "=": the word is --flag=value.
		prev=${cur%%=*}=
		cur=${cur#*=}
	fi
}

# _a0_words WORDS: complete cur from the words WORDS.
_a0_words()
{
	local IFS=$' \t\n'
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

# _a0_files [-d]: complete cur as a file name (-d: a directory name), with
# bash-completion's _filedir when it is loaded.
_a0_files()
{
	if declare -F _filedir > /dev/null; then
		_filedir "$@"
		return
	fi
	if [[ ${1-} == -d ]]; then
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}

# _a0_templates: complete cur as a template name, as a0-template -l lists
# them (its short names).
_a0_templates()
{
	local IFS=$' \t\n' names
	names=$(a0-template -l 2> /dev/null | cut -f 1)
	mapfile -t COMPREPLY < <(compgen -W "$names" -- "$cur")
}

# _a0_opts OPTIONS: the options when cur starts with "-"; returns 1 when
# it does not, for the caller to complete an operand.  A tool without
# operands to complete offers its options with _a0_words instead.
_a0_opts()
{
	[[ $cur == -* ]] || return 1
	_a0_words "$1"
}

_a0_template()
{
	local cur prev
	_a0_init
	case $prev in
	-n | --count | --count=) return ;;
	esac
	_a0_opts '-l --list -n --count -h --help -V --version' ||
	    _a0_templates
}

_a0_validate()
{
	local cur prev
	_a0_init
	case $prev in
	-r | --rejects | --rejects=) _a0_files; return ;;
	-f | --format | --format=) _a0_words 'text json'; return ;;
	esac
	_a0_opts '-n --no-output -q --quiet -r --rejects -f --format --no-dup
	    -h --help -V --version' || _a0_files
}

_a0_chunk()
{
	local cur prev
	_a0_init
	case $prev in
	-d | --directory | --directory=) _a0_files -d; return ;;
	-b | --bytes | --bytes= | -n | --count | --count= | -p | --prefix | \
	    --prefix=) return ;;
	esac
	_a0_opts '-0 --null -k --keep -b --bytes -n --count -d --directory
	    -p --prefix -h --help -V --version' || _a0_files
}

_a0_submit()
{
	local cur prev
	_a0_init
	case $prev in
	-s | --state | --state= | -r | --rejects | --rejects=)
		_a0_files
		return
		;;
	--upsert= | --email-results=) _a0_words 'true false'; return ;;
	-f | --format | --format=) _a0_words 'json text'; return ;;
	-c | --connection-name | --connection-name= | -C | --connection-id | \
	    --connection-id= | -x | --external-id | --external-id= | -j | \
	    --jobs | --jobs= | --tenant | --tenant=) return ;;
	esac
	_a0_opts '-0 --null -c --connection-name -C --connection-id
	    -f --format --upsert --email-results -x --external-id -s --state
	    --wait-lock -r --rejects -j --jobs
	    --no-wait --dry-run --tenant --debug --no-color -h --help
	    -V --version' || _a0_files
}

_a0_import()
{
	local cur prev
	_a0_init
	case $prev in
	-t | --template | --template=) _a0_templates; return ;;
	-s | --state | --state= | -r | --rejects | --rejects=)
		_a0_files
		return
		;;
	--upsert= | --email-results= | --no-input= | --debug= | --no-color=)
		_a0_words 'true false'
		return
		;;
	-c | --connection-name | --connection-name= | -u | --users | \
	    --users= | --tenant | --tenant=)
		# -u takes the users as JSON text, not a file name.
		return
		;;
	esac
	_a0_words '-c --connection-name -t --template -u --users --upsert
	    --email-results -s --state -r --rejects --no-input --tenant --debug
	    --no-color -h --help -V --version'
}

_a0_export()
{
	local cur prev
	_a0_init
	case $prev in
	--hashes | --hashes=) _a0_files; return ;;
	-c | --connection-name | --connection-name= | -C | --connection-id | \
	    --connection-id= | --tenant | --tenant=) return ;;
	esac
	_a0_words '-c --connection-name -C --connection-id --hashes --raw
	    --tenant --debug --no-color -h --help -V --version'
}

_a0_convert()
{
	local cur prev
	_a0_init
	case $prev in
	-f | --format | --format=)
		_a0_words 'django keycloak firebase csv'
		return
		;;
	--hash | --hash=)
		_a0_words 'bcrypt devise aspnet spring phpass crypt md5 sha1
		    sha256 sha512 none'
		return
		;;
	-R | --resets | --resets= | --check | --check= | --pepper | --pepper=)
		_a0_files
		return
		;;
	--map | --map=) return ;;
	esac
	_a0_opts '-f --format --map --hash --pepper -R --resets --check
	    -h --help -V --version' || _a0_files
}

_a0_connections()
{
	local cur prev
	_a0_init
	case $prev in
	--token-fd | --token-fd= | --tenant | --tenant=) return ;;
	esac
	_a0_words '-a --all -e --enabled -j --json --token-fd --tenant --debug
	    -h --help -V --version'
}

complete -o filenames -F _a0_template a0-template
complete -o filenames -F _a0_validate a0-validate
complete -o filenames -F _a0_chunk a0-chunk
complete -o filenames -F _a0_submit a0-submit
complete -o filenames -F _a0_import a0-import
complete -o filenames -F _a0_export a0-export
complete -o filenames -F _a0_convert a0-convert
complete -o filenames -F _a0_connections a0-connections
