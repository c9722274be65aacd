# a0: Auth0 bulk user import as Unix filters.
.POSIX:

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DATADIR = $(PREFIX)/share
DOCDIR = $(DATADIR)/doc/a0
BASHCOMPDIR = $(DATADIR)/bash-completion/completions
# Where zsh looks for PREFIX's functions; a Debian package's go in
# /usr/share/zsh/vendor-completions (debian/rules says so).
ZSHCOMPDIR = $(DATADIR)/zsh/site-functions

CC = cc
CFLAGS = -O2 -g -Wall -Wextra -Wpedantic
LDFLAGS =
# What the code needs, kept apart from CFLAGS so that
# "make CFLAGS='-fsanitize=address'" still builds.
A0_CFLAGS = -std=c99 -D_POSIX_C_SOURCE=200809L -Icommon
# Only the programs that talk to Auth0 link libcurl (and common/liba0net.a).
A0_LIBS = -lcurl

PROVE = prove
PROVEFLAGS =
VALGRIND =

HDR = common/a0.h
OBJ = common/util.o common/jstream.o common/json.o common/schema.o \
	common/dupset.o common/sha256.o common/retry.o common/jsonw.o \
	common/poll.o common/tool.o
NETOBJ = common/http.o common/auth0.o common/journal.o common/creds.o
PROG = bin/a0-template bin/a0-chunk bin/a0-validate bin/a0-submit \
	bin/a0-import bin/a0-convert bin/a0-connections bin/a0-export
UNIT = tests/unit/test-util tests/unit/test-jstream tests/unit/test-json \
	tests/unit/test-schema tests/unit/test-sha256 tests/unit/test-retry \
	tests/unit/test-journal tests/unit/test-jsonw tests/unit/test-poll \
	tests/unit/test-http tests/unit/test-creds tests/unit/test-export \
	$(PORTABLE)
# The reader's and the tokenizer's byte loops, which replace their SSE2
# loops where there is no SSE2 (-DJS_PORTABLE): built and tested here too.
PORTABLE = tests/unit/test-jstream-portable tests/unit/test-json-portable \
	tests/unit/test-schema-portable
PORTABLE_SRC = common/util.c common/jstream.c common/json.c \
	common/schema.c common/dupset.c common/sha256.c common/jsonw.c
MAN = man/a0.7 man/a0-template.1 man/a0-chunk.1 man/a0-validate.1 \
	man/a0-submit.1 man/a0-import.1 man/a0-convert.1 \
	man/a0-connections.1 man/a0-export.1
# Installed in $(DOCDIR)/examples; cron-import.sh also in $(DATADIR)/a0,
# where its crontab line runs it.  demo.sh runs from the source tree only.
EXAMPLES = examples/cron-import.sh examples/migrate-export.sh \
	examples/users.json examples/export.ndjson \
	examples/copy-tenant.sh

all: deps $(PROG)

.SUFFIXES: .c .o
.c.o:
	$(CC) $(A0_CFLAGS) $(CFLAGS) -c -o $@ $<

$(OBJ) $(NETOBJ): $(HDR)

common/liba0.a: $(OBJ)
	rm -f $@
	$(AR) -rc $@ $(OBJ)
common/liba0net.a: $(NETOBJ)
	rm -f $@
	$(AR) -rc $@ $(NETOBJ)

bin/a0-template: tools/a0-template.c common/liba0.a $(HDR)
	@mkdir -p bin
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tools/a0-template.c common/liba0.a
bin/a0-chunk: tools/a0-chunk.c common/liba0.a $(HDR)
	@mkdir -p bin
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tools/a0-chunk.c common/liba0.a
bin/a0-validate: tools/a0-validate.c common/liba0.a $(HDR)
	@mkdir -p bin
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tools/a0-validate.c common/liba0.a
SUBMIT = tools/a0-submit.c tools/submit-chunk.c tools/submit-once.c \
	tools/submit-out.c tools/submit-slot.c
bin/a0-submit: $(SUBMIT) tools/submit.h common/liba0net.a common/liba0.a $(HDR)
	@mkdir -p bin
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(SUBMIT) common/liba0net.a common/liba0.a $(A0_LIBS)
# a0-convert alone needs libcsv, OpenSSL, libxcrypt and libsodium.
CONVERT_SRC = tools/a0-convert.c tools/convert-csv.c tools/convert-json.c \
	tools/convert-hash.c tools/convert-codec.c tools/convert-check.c
CONVERT_LIBS = -lcsv -lcrypto -lcrypt -lsodium
bin/a0-convert: $(CONVERT_SRC) tools/convert.h common/liba0.a $(HDR)
	@mkdir -p bin
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(CONVERT_SRC) common/liba0.a $(CONVERT_LIBS)
bin/a0-connections: tools/a0-connections.c common/liba0net.a common/liba0.a $(HDR)
	@mkdir -p bin
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tools/a0-connections.c common/liba0net.a common/liba0.a $(A0_LIBS)
EXPORT_SRC = tools/a0-export.c tools/export-download.c tools/export-hashes.c \
	tools/export-record.c
bin/a0-export: $(EXPORT_SRC) tools/export.h common/liba0net.a common/liba0.a $(HDR)
	@mkdir -p bin
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(EXPORT_SRC) common/liba0net.a common/liba0.a $(A0_LIBS) -lz
bin/a0-import: tools/a0-import.sh
	@mkdir -p bin
	sed 's/@VERSION@/'"`sed -n 's/^#define A0_VERSION.*"\(.*\)"/\1/p' $(HDR)`"'/' tools/a0-import.sh > $@.tmp
	chmod 755 $@.tmp
	mv $@.tmp $@

tests/unit/test-util: tests/unit/test-util.c tests/unit/tap.h common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-util.c common/liba0.a
tests/unit/test-jstream: tests/unit/test-jstream.c tests/unit/tap.h common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-jstream.c common/liba0.a
tests/unit/test-json: tests/unit/test-json.c tests/unit/tap.h common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-json.c common/liba0.a
tests/unit/test-schema: tests/unit/test-schema.c tests/unit/tap.h common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-schema.c common/liba0.a
tests/unit/test-sha256: tests/unit/test-sha256.c tests/unit/tap.h common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-sha256.c common/liba0.a
tests/unit/test-retry: tests/unit/test-retry.c tests/unit/tap.h common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-retry.c common/liba0.a
tests/unit/test-journal: tests/unit/test-journal.c tests/unit/tap.h common/liba0net.a common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-journal.c common/liba0net.a common/liba0.a $(A0_LIBS)
tests/unit/test-export: tests/unit/test-export.c tests/unit/tap.h common/liba0net.a common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-export.c common/liba0net.a common/liba0.a $(A0_LIBS)
tests/unit/test-creds: tests/unit/test-creds.c tests/unit/tap.h common/liba0net.a common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-creds.c common/liba0net.a common/liba0.a $(A0_LIBS)
tests/unit/test-jsonw: tests/unit/test-jsonw.c tests/unit/tap.h common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-jsonw.c common/liba0.a
tests/unit/test-poll: tests/unit/test-poll.c tests/unit/tap.h common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-poll.c common/liba0.a
tests/unit/test-http: tests/unit/test-http.c tests/unit/tap.h common/liba0net.a common/liba0.a
	$(CC) $(A0_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-http.c common/liba0net.a common/liba0.a $(A0_LIBS)
tests/unit/test-jstream-portable: tests/unit/test-jstream.c tests/unit/tap.h $(PORTABLE_SRC) $(HDR)
	$(CC) $(A0_CFLAGS) -DJS_PORTABLE $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-jstream.c $(PORTABLE_SRC)
tests/unit/test-json-portable: tests/unit/test-json.c tests/unit/tap.h $(PORTABLE_SRC) $(HDR)
	$(CC) $(A0_CFLAGS) -DJS_PORTABLE $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-json.c $(PORTABLE_SRC)
tests/unit/test-schema-portable: tests/unit/test-schema.c tests/unit/tap.h $(PORTABLE_SRC) $(HDR)
	$(CC) $(A0_CFLAGS) -DJS_PORTABLE $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-schema.c $(PORTABLE_SRC)

# Check for the build and test dependencies; install Debian's packages
# when they are missing and we may, else print the command that would.
DEBPKGS = libcurl4-openssl-dev libjsmn-dev libtest-harness-perl \
	curl python3 mandoc libcsv-dev libssl-dev libcrypt-dev libsodium-dev \
	python3-bcrypt python3-argon2 dpkg-dev debhelper lintian \
	bash-completion zsh zlib1g-dev
deps:
	@missing=; \
	pkg-config --exists libcurl 2>/dev/null || missing="$$missing libcurl4-openssl-dev pkg-config"; \
	test -f /usr/include/jsmn.h || missing="$$missing libjsmn-dev"; \
	test -f /usr/include/zlib.h || missing="$$missing zlib1g-dev"; \
	command -v prove >/dev/null || missing="$$missing libtest-harness-perl"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v python3 >/dev/null || missing="$$missing python3"; \
	command -v mandoc >/dev/null || missing="$$missing mandoc"; \
	test -f /usr/include/csv.h || missing="$$missing libcsv-dev"; \
	test -f /usr/include/openssl/evp.h || missing="$$missing libssl-dev"; \
	test -f /usr/include/crypt.h || missing="$$missing libcrypt-dev"; \
	test -f /usr/include/sodium.h || missing="$$missing libsodium-dev"; \
	py=python3; test -x /usr/bin/python3 && py=/usr/bin/python3; \
	$$py -c 'import bcrypt' 2>/dev/null || missing="$$missing python3-bcrypt"; \
	$$py -c 'import argon2' 2>/dev/null || missing="$$missing python3-argon2"; \
	command -v dpkg-buildpackage >/dev/null || missing="$$missing dpkg-dev"; \
	command -v dh >/dev/null || missing="$$missing debhelper"; \
	command -v lintian >/dev/null || missing="$$missing lintian"; \
	test -f /usr/share/bash-completion/bash_completion || missing="$$missing bash-completion"; \
	command -v zsh >/dev/null || missing="$$missing zsh"; \
	if [ -n "$$missing" ]; then \
		if [ "`id -u`" = 0 ] && command -v apt-get >/dev/null; then \
			echo "deps: installing$$missing"; \
			apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
		else \
			echo "deps: missing; run: sudo apt-get install$$missing" >&2; \
			exit 1; \
		fi; \
	fi

# The C unit tests run under $(VALGRIND) too (prove's --exec '' runs a
# compiled test as it is); the scripts wrap each tool they run in it.
check: all $(UNIT)
	$(PROVE) $(PROVEFLAGS) --exec '$(VALGRIND)' $(UNIT); u=$$?; \
	PATH="`pwd`/bin:$$PATH" VALGRIND="$(VALGRIND)" \
	    $(PROVE) $(PROVEFLAGS) tests/*.t && exit $$u

bench: all
	sh bench/run

demo: all
	sh examples/demo.sh

# Static analysis: cppcheck, and clang-tidy with the checks chosen (and
# the ones left out, with the reason) in .clang-tidy.  Neither may report
# anything.
CPPCHECK = cppcheck
CPPCHECKFLAGS = --enable=warning,portability,performance --error-exitcode=1 \
	--inline-suppr -q --std=c99 -D_POSIX_C_SOURCE=200809L -Icommon
CLANG_TIDY = clang-tidy

lint: all
	@for m in $(MAN); do mandoc -Tlint -Wwarning $$m || exit 1; done
	@missing=; \
	command -v $(CPPCHECK) >/dev/null || missing="$$missing cppcheck"; \
	command -v $(CLANG_TIDY) >/dev/null || missing="$$missing clang-tidy"; \
	command -v shellcheck >/dev/null || missing="$$missing shellcheck"; \
	if [ -n "$$missing" ]; then \
		if [ "`id -u`" = 0 ] && command -v apt-get >/dev/null; then \
			echo "lint: installing$$missing"; \
			apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
		else \
			echo "lint: missing; run: sudo apt-get install$$missing" >&2; \
			exit 1; \
		fi; \
	fi
	shellcheck tools/a0-import.sh examples/demo.sh
	$(CPPCHECK) $(CPPCHECKFLAGS) common/*.c tools/*.c tests/fuzz/*.c
	@echo "$(CLANG_TIDY) common/*.c tools/*.c"; \
	st=0; \
	out=`$(CLANG_TIDY) -quiet common/*.c tools/*.c -- $(A0_CFLAGS) 2>&1` || \
	    st=$$?; \
	printf '%s\n' "$$out" | grep -v '^[0-9]* warnings* generated\.$$' || :; \
	exit $$st
	@for cc in clang gcc; do \
		echo "$$cc -Werror common/*.c tools/*.c"; \
		for f in common/*.c tools/*.c; do \
			$$cc $(A0_CFLAGS) -O2 -Wall -Wextra -Wpedantic -Werror \
			    -c -o /dev/null $$f || exit 1; \
		done; \
	done

# libFuzzer targets, built with clang from tests/fuzz/NAME.c and the
# common/ sources compiled in (liba0.a has no sanitizers).  "make fuzz-run"
# runs each for FUZZ_SECONDS on a scratch copy of its seed corpus and
# fails on the first crash, leaving the input in tests/fuzz/NAME-crash-*.
FUZZ = tests/fuzz/reader tests/fuzz/json tests/fuzz/validate \
	tests/fuzz/http
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all
FUZZ_SRC = common/util.c common/jstream.c common/json.c common/schema.c \
	common/dupset.c common/sha256.c common/http.c common/retry.c \
	common/auth0.c common/journal.c common/jsonw.c common/tool.c \
	common/creds.c
FUZZ_SECONDS = 60
FUZZ_FLAGS = -timeout=10 -rss_limit_mb=2048 \
	-dict=tests/fuzz/corpus/json.dict

fuzz: $(FUZZ)

tests/fuzz/reader: tests/fuzz/reader.c $(FUZZ_SRC) $(HDR)
	$(FUZZ_CC) $(A0_CFLAGS) $(FUZZ_CFLAGS) -o $@ tests/fuzz/reader.c $(FUZZ_SRC) $(A0_LIBS)
tests/fuzz/json: tests/fuzz/json.c $(FUZZ_SRC) $(HDR)
	$(FUZZ_CC) $(A0_CFLAGS) $(FUZZ_CFLAGS) -o $@ tests/fuzz/json.c $(FUZZ_SRC) $(A0_LIBS)
tests/fuzz/validate: tests/fuzz/validate.c $(FUZZ_SRC) $(HDR)
	$(FUZZ_CC) $(A0_CFLAGS) $(FUZZ_CFLAGS) -o $@ tests/fuzz/validate.c $(FUZZ_SRC) $(A0_LIBS)
tests/fuzz/http: tests/fuzz/http.c $(FUZZ_SRC) $(HDR)
	$(FUZZ_CC) $(A0_CFLAGS) $(FUZZ_CFLAGS) -o $@ tests/fuzz/http.c $(FUZZ_SRC) $(A0_LIBS)

fuzz-run: fuzz
	@for f in $(FUZZ); do \
		n=`basename $$f`; \
		d=`mktemp -d "$${TMPDIR:-/tmp}/a0-fuzz.XXXXXX"` || exit 1; \
		echo "fuzz-run: $$n for $(FUZZ_SECONDS) s"; \
		$$f $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
		    -artifact_prefix=$$f-crash- $$d tests/fuzz/corpus/$$n \
		    > $$d.log 2>&1; \
		st=$$?; \
		grep -E '^(Done|#[0-9]+.*(DONE|pulse))' $$d.log | tail -1; \
		if [ $$st -ne 0 ]; then \
			tail -60 $$d.log; rm -rf $$d $$d.log; \
			echo "fuzz-run: $$n failed (exit $$st)" >&2; exit 1; \
		fi; \
		rm -rf $$d $$d.log; \
	done

# A Debian package, built by debian/rules from "make install" with
# dpkg-buildpackage in a copy of the tree under $(DEBDIR), where the .deb
# lands with the build's by-products (the tree itself stays clean), then
# checked by lintian: an error, or a warning without an override in
# debian/, fails the build.  The Debian tools and what debian/control's
# Build-Depends names are installed first, as deps does.
DEBDIR = deb
DEBTOOLS = dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian

deb:
	@need() { \
		[ $$# -gt 0 ] || return 0; \
		if [ "`id -u`" = 0 ] && command -v apt-get >/dev/null; then \
			echo "deb: installing $$*"; \
			apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$$@" >/dev/null; \
		else \
			echo "deb: missing; run: sudo apt-get install $$*" >&2; \
			return 1; \
		fi; \
	}; \
	missing=; \
	for t in $(DEBTOOLS); do \
		command -v $${t%%:*} >/dev/null || missing="$$missing $${t#*:}"; \
	done; \
	need $$missing || exit 1; \
	need `dpkg-checkbuilddeps 2>&1 | \
	    sed -n 's/([^)]*)//g; s/ | [^ ]*//g; s/.*Unmet build dependencies: //p'`
	rm -rf $(DEBDIR)/src $(DEBDIR)/a0_* $(DEBDIR)/a0-dbgsym_*
	mkdir -p $(DEBDIR)/src
	tar -cf - `ls | grep -vx -e bench -e tests -e deb -e '$(DEBDIR)'` | \
	    (cd $(DEBDIR)/src && tar -xf -)
	cd $(DEBDIR)/src && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning $(DEBDIR)/a0_*.deb
	rm -rf $(DEBDIR)/src
	@ls $(DEBDIR)/a0_*.deb

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	cp $(PROG) $(DESTDIR)$(BINDIR)/
	cp man/*.1 $(DESTDIR)$(MANDIR)/man1/
	cp man/a0.7 $(DESTDIR)$(MANDIR)/man7/
	mkdir -p $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DATADIR)/a0
	cp $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	cp examples/cron-import.sh $(DESTDIR)$(DATADIR)/a0/
	chmod 755 $(DESTDIR)$(DATADIR)/a0/cron-import.sh
	mkdir -p $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	cp completion/a0.bash $(DESTDIR)$(BASHCOMPDIR)/a0
	for p in $(PROG); do ln -sf a0 $(DESTDIR)$(BASHCOMPDIR)/$${p#bin/}; done
	cp completion/_a0 $(DESTDIR)$(ZSHCOMPDIR)/_a0

uninstall:
	for p in $(PROG); do rm -f $(DESTDIR)$(BINDIR)/`basename $$p`; done
	for m in $(MAN); do rm -f $(DESTDIR)$(MANDIR)/man`echo $$m | sed 's/.*\.//'`/`basename $$m`; done
	for p in $(PROG); do rm -f $(DESTDIR)$(BASHCOMPDIR)/$${p#bin/}; done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/a0 $(DESTDIR)$(ZSHCOMPDIR)/_a0
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR)/a0

clean:
	rm -f $(OBJ) $(NETOBJ) common/liba0.a common/liba0net.a $(PROG) $(UNIT) $(FUZZ) bin/*.tmp
	rm -rf deb

.PHONY: all deps check bench demo lint install uninstall clean fuzz fuzz-run \
	deb
