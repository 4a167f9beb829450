# campaignd: build, run and test. `make run` and `make test` install the
# Debian packages they need first (scripts/deps.sh).

PKGS     = jansson sqlite3 libcrypto icu-uc icu-i18n
VERSION  = 0.1.0

SAN     ?= 0
ifeq ($(SAN),1)
BUILD   ?= build/san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
else
BUILD   ?= build/rel
endif

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Wshadow -Wmissing-prototypes \
	   -Wstrict-prototypes -Wpointer-arith -Wformat=2 -Wvla \
	   $(SANFLAGS)
CPPFLAGS += -D_GNU_SOURCE -DCAMPAIGND_VERSION='"$(VERSION)"' -Isrc \
	   $(shell pkg-config --cflags $(PKGS))
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lhttp_parser -lpthread -lm

LIB_SRC  = $(sort $(wildcard src/*/*.c))
WEB      = $(shell find web -type f -size +0 ! -name '.*')
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/web_assets.o
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
BIN      = $(BUILD)/campaignd

# Debian's interpreter, which has python3-pytest (not a pyenv one).
PYTHON  ?= /usr/bin/python3

DB      ?= ./campaignd.db
LISTEN  ?= 127.0.0.1:8080

.PHONY: all deps run test unit blackbox robustness browser valgrind \
	valgrind-blackbox format \
	format-check lint bench clean

all: $(BIN)

deps:
	@sh scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(BIN) serve --db $(DB) --listen $(LISTEN)

# The whole suite runs on a build with AddressSanitizer and UBSan.
test:
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory SAN=1 unit blackbox robustness browser

unit: $(UNIT_BIN)
	@sh tests/unit/run.sh $(UNIT_BIN)

blackbox: $(BIN)
	CAMPAIGND_BIN=$(abspath $(BIN)) $(PYTHON) -m pytest -q -p no:cacheprovider \
		tests/blackbox

robustness: $(BIN)
	CAMPAIGND_BIN=$(abspath $(BIN)) $(PYTHON) -m pytest -q -p no:cacheprovider \
		tests/robustness

browser: $(BIN)
	CAMPAIGND_BIN=$(abspath $(BIN)) sh tests/browser/run.sh

valgrind: $(UNIT_BIN)
	@sh tests/unit/run.sh --valgrind $(UNIT_BIN)

# The black-box suite with the daemon under valgrind's memcheck: any error
# or definite leak makes its exit status fail the test that stops it.
valgrind-blackbox: $(BIN)
	CAMPAIGND_REAL_BIN=$(abspath $(BIN)) \
	CAMPAIGND_BIN=$(abspath tests/valgrind-daemon.sh) \
		$(PYTHON) -m pytest -q -p no:cacheprovider tests/blackbox

bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	sh bench/add_contact.sh

$(BIN): $(BUILD)/campaignd.a $(BUILD)/src/main.o
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/src/main.o $(BUILD)/campaignd.a $(LDLIBS)

$(BUILD)/campaignd.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The dashboard is embedded in the binary.
$(BUILD)/gen/web_assets.c: $(WEB) scripts/embed.sh
	@mkdir -p $(@D)
	sh scripts/embed.sh web > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/web_assets.o: $(BUILD)/gen/web_assets.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/campaignd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/campaignd.a \
		$(LDLIBS) -lcmocka

format:
	clang-format -i src/*.c src/*/*.[ch] tests/unit/*.c

# Static analysis: cppcheck's warnings are errors.
lint:
	cppcheck --std=c11 --enable=warning,portability,performance \
		--inline-suppr --error-exitcode=1 -q -Isrc -D_GNU_SOURCE \
		--include=scripts/cppcheck-macros.h src

format-check:
	clang-format --dry-run -Werror src/*.c src/*/*.[ch] tests/unit/*.c

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d
