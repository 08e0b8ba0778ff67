# senderauth - one plain GNU Makefile.
#
#   make            release build into build/ (-Wall -Wextra -Werror)
#   make test       sanitizer build into build-test/ and every suite
#   make run        the whole product on 127.0.0.1 with a demo organization
#   make bench      the benchmarks under bench/
#   make install / uninstall   PREFIX=/usr DESTDIR=… (dist/install.sh)
#   make fuzz       libFuzzer targets under tests/fuzz (clang)
#   make spf-diff   the differential SPF test against pyspf, full size
#   make check-format / format

# Output directory; the test build uses build-test.
BUILD ?= build
# Compiler and flags; SAN is added by the test build.
CC ?= cc
OPT ?= -O2
SAN ?=
WARN = -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE $(LAYERS:%=-Ilib/%) -Itests/double $(shell pkg-config --cflags libpq libcares openssl mxml libidn2)
CFLAGS += -std=c11 $(OPT) -g $(WARN) $(SAN) -MMD -MP
LDFLAGS += $(SAN)
PREFIX ?= /usr/local
DESTDIR ?=

# Libraries per link graph: web binaries never link c-ares (nor libpsl,
# the Public Suffix List of DMARC's organizational domain), the verifier
# never links libfcgi.
LIBS_CORE = $(shell pkg-config --libs libpq openssl mxml libidn2) -lpthread
LIBS_WEB = -lfcgi $(LIBS_CORE)
LIBS_VERIFY = $(shell pkg-config --libs libcares libpsl) $(LIBS_CORE)

# The shared library, one module per concern, one folder per layer:
# core/ is linked by everyone, web/ by the FastCGI actions, verify/ by the
# verifier. tests/double/ holds test doubles, never linked into a product
# binary. `make check-layers` keeps the include graph to this.
LAYERS = core web verify
# One FastCGI binary per action (cgi-bin/<action>.c).
ACTIONS = $(basename $(notdir $(wildcard cgi-bin/*.c)))

layer_objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard lib/$(1)/*.c))
CORE_A = $(BUILD)/libsa-core.a
WEB_A = $(BUILD)/libsa-web.a
VERIFY_A = $(BUILD)/libsa-verify.a
DOUBLE_A = $(BUILD)/libsa-double.a

UNIT = $(basename $(notdir $(wildcard tests/unit/test-*.c)))
TOOLS = $(basename $(notdir $(wildcard tests/tools/*.c)))

BINS = $(ACTIONS:%=$(BUILD)/cgi-bin/%) $(TOOLS:%=$(BUILD)/%)
ifneq ($(wildcard cron/verifier.c),)
BINS += $(BUILD)/verifier
endif
# The operator's command: admin/*.c, one file per subcommand.
ADMIN_OBJS = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard admin/*.c))
ifneq ($(ADMIN_OBJS),)
BINS += $(BUILD)/senderauth-admin
endif
TEST_BINS = $(UNIT:%=$(BUILD)/tests/%)
ifneq ($(wildcard tests/conformance/rfc7208.c),)
TEST_BINS += $(BUILD)/tests/rfc7208
endif

.PHONY: all test tests run bench fuzz spf-diff install uninstall clean check-format format deps check-layers
all: $(BINS) xsl/static/labels.css

# The phone labels of the address table, from the catalogues (committed;
# t050-xsl.sh checks the file is current).
xsl/static/labels.css: dist/labels-css.xsl xsl/messages.ja.xml xsl/messages.en.xml
	xsltproc dist/labels-css.xsl dist/labels-css.xsl >$@.tmp && mv $@.tmp $@

tests: all $(TEST_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/obj/lib/verify/%.o: CPPFLAGS += $(shell pkg-config --cflags libpsl)

$(CORE_A): $(call layer_objs,core)
	rm -f $@ && $(AR) rcs $@ $^
$(WEB_A): $(call layer_objs,web)
	rm -f $@ && $(AR) rcs $@ $^
$(VERIFY_A): $(call layer_objs,verify)
	rm -f $@ && $(AR) rcs $@ $^
$(DOUBLE_A): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/double/*.c))
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/cgi-bin/%: $(BUILD)/obj/cgi-bin/%.o $(WEB_A) $(CORE_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_WEB)

$(BUILD)/verifier: $(BUILD)/obj/cron/verifier.o $(VERIFY_A) $(CORE_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_VERIFY)

# It may use every layer.
$(BUILD)/senderauth-admin: $(ADMIN_OBJS) $(WEB_A) $(VERIFY_A) $(CORE_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_VERIFY)

$(BUILD)/%: $(BUILD)/obj/tests/tools/%.o $(WEB_A) $(CORE_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE)

# Unit tests may use any module and the test doubles.
LIBS_ALL = -lfcgi $(LIBS_VERIFY)
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(DOUBLE_A) $(VERIFY_A) $(WEB_A) $(CORE_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ALL)

$(BUILD)/tests/rfc7208: $(BUILD)/obj/tests/conformance/rfc7208.o $(DOUBLE_A) $(VERIFY_A) $(CORE_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_VERIFY) -lyaml

# Benchmark programs that link the library (bench/<name>.c).
BENCH_BINS = $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(DOUBLE_A) $(VERIFY_A) $(CORE_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_VERIFY)

# Installs missing Debian packages (root), then builds with sanitizers and
# runs every suite; the last line is "N passed, N failed".
test: check-layers
	bash tests/lib/deps.sh
	$(MAKE) BUILD=build-test OPT=-O1 SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" tests
	bash tests/run.sh build-test

run:
	bash tests/lib/deps.sh
	$(MAKE) all
	bash tests/lib/run.sh

bench:
	bash tests/lib/deps.sh
	$(MAKE) all $(BENCH_BINS)
	bash bench/run.sh

fuzz:
	$(MAKE) -C tests/fuzz

# The differential test of the SPF engine against pyspf at full size
# (tests/conformance/README): SPF_DIFF_CASES random record sets, with a
# random seed it prints or SEED=S; CASE=K replays one case of SEED. The
# release build's verifier, at low priority. `make test` runs a small
# fixed-seed one (tests/integration/t310-spf-diff.sh).
SPF_DIFF_CASES ?= 10000
spf-diff:
	bash tests/lib/deps.sh
	$(MAKE) all
	BUILD=$(BUILD) nice bash tests/conformance/spf-diff.sh \
		$(if $(CASE),--case $(CASE),--cases $(SPF_DIFF_CASES)) \
		$(if $(SEED),--seed $(SEED))

# make install PREFIX=/usr DESTDIR=…: the layout of README "Running it in
# production", every file listed in $(PREFIX)/share/senderauth/
# install-manifest; make uninstall (same variables) removes what is listed.
install: all
	DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' BUILD='$(BUILD)' ACTIONS='$(ACTIONS)' \
		sh dist/install.sh install
uninstall:
	DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' sh dist/install.sh uninstall

FORMAT_FILES = $(wildcard lib/*/*.[ch] cgi-bin/*.c cron/*.c admin/*.[ch] tests/unit/*.[ch] tests/double/*.[ch] tests/tools/*.c tests/conformance/*.c tests/fuzz/*.c bench/*.c)
check-format:
	clang-format --dry-run -Werror $(FORMAT_FILES)
format:
	clang-format -i $(FORMAT_FILES)

# Fails when a file includes a header of a layer it must not see: web and
# verify see only core and themselves, core sees only core, and no
# production file sees a test double.
check-layers:
	bash tests/lib/check-layers.sh

clean:
	rm -rf build build-test

.SECONDARY:
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
