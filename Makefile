# inclusion-api — build, run and test.
#
#   make          build build/inclusion-api (warnings are errors)
#   make run      install what is missing, start a private PostgreSQL under var/,
#                 migrate, seed and serve on 127.0.0.1:8080 with a demo token
#                 (PORT=8081 DEV_PG_PORT=54330 DEV_PG_DIR=var/pg-dev2 for a second one)
#   make stop     stop what make run started in the background (same variables)
#   make test     lint, then unit and integration suites, plain and under ASan+UBSan
#   make lint     formatting (clang-format, no drift), cppcheck, no SQL literal in a .c file
#                 of api/ (tests/lint-sql.sh) and the OpenAPI linter
#   make bench    wrk figures of the main routes beside their pgbench ceilings, OAuth (tests/bench.sh)
#   make format   clang-format the C sources
#
# VARIANT=asan builds the AddressSanitizer + UndefinedBehaviorSanitizer variant
# under build/asan/ (make test does it by itself); VARIANT=fuzz the libFuzzer
# harnesses of tests/fuzz/ with clang 14 under build/fuzz/.
#   make fuzz     run every fuzzer for FUZZ_SECONDS (default 600) each
#   make stress   the long runs: 100,000 mutated requests (ASan), slowhttptest and a
#                 connection flood, make fuzz, then make valgrind
#   make valgrind the integration suite with every server under valgrind memcheck
#   make scale    two instances behind HAProxy, a primary and its streaming replica,
#                 a mixed load with one instance killed (tests/scale/run.sh; not in make test)

VARIANT ?= release
ifeq ($(VARIANT),asan)
  OUT := build/asan
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(VARIANT),fuzz)
  OUT := build/fuzz
  CC := clang-14
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
         -fno-sanitize-recover=all
else
  OUT := build
  OPT := -O2 -g
endif

CC ?= cc
PKG_LIBS := libulfius libmicrohttpd jansson libpq libjwt libcrypto zlib libcurl
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
        -Wvla -Wpointer-arith -Wcast-qual -Wnull-dereference
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -MMD -MP
CFLAGS := $(BASE_CFLAGS) $(shell pkg-config --cflags $(PKG_LIBS) 2>/dev/null)

# The layers of api/, bottom up, and the headers each may include. The build
# enforces it: a file sees its own folder and the include path of its layer,
# nothing else, so a format that includes an HTTP or database header, or a
# resource that includes another resource's, does not compile.
#   formats/        pure code: its own headers, and jansson (no libpq, no ulfius flags)
#   core/           + formats/
#   resources/<r>/  + core/ and formats/: never another resource
#   jobs/           + core/, formats/ and the resources ("places/places_sql.h")
#   main.c routes.c the top: everything
INC_formats := $(BASE_CFLAGS) $(shell pkg-config --cflags jansson 2>/dev/null)
INC_core := $(CFLAGS) -Iapi/formats
INC_resources := $(CFLAGS) -Iapi/core -Iapi/formats
INC_jobs := $(CFLAGS) -Iapi/core -Iapi/formats -Iapi/resources
INC_top := $(CFLAGS) -Iapi/core -Iapi/formats -Iapi/resources -Iapi/jobs
# The flags of a source path relative to api/ ("core/http" -> core, "main" -> top).
layer_flags = $(INC_$(if $(findstring /,$1),$(firstword $(subst /, ,$1)),top))
LDLIBS := $(shell pkg-config --libs $(PKG_LIBS) 2>/dev/null) -lorcania -lpthread -lm
TEST_LDLIBS := -lcriterion -lcurl

# Debian 12 packages the build, the private cluster and the tests need.
DEB_PACKAGES := gcc make pkg-config libulfius-dev libmicrohttpd-dev libjansson-dev libpq-dev \
  libjwt-dev libssl-dev libcriterion-dev libcurl4-gnutls-dev postgresql-15 \
  postgresql-15-postgis-3 cppcheck clang-format curl ca-certificates clang-14 libclang-rt-14-dev \
  zlib1g-dev chromium libjs-leaflet

API_SRC := $(filter-out api/main.c,$(wildcard api/*.c api/*/*.c api/resources/*/*.c))
API_OBJ := $(API_SRC:api/%.c=$(OUT)/obj/%.o) $(OUT)/obj/embedded.o
MAIN_OBJ := $(OUT)/obj/main.o
SUPPORT_SRC := $(wildcard tests/support/*.c)
UNIT_SRC := $(shell find tests/unit -name '*.c' | sort)
INTEGRATION_SRC := $(shell find tests/integration -name '*.c' | sort)
FAULTS_SRC := $(wildcard tests/faults/*.c)
SUPPORT_OBJ := $(SUPPORT_SRC:tests/%.c=$(OUT)/tests/obj/%.o)
# Leaflet for /carte, from Debian's libjs-leaflet (DEB_PACKAGES), served as /assets/leaflet.*
LEAFLET_DIR ?= /usr/share/javascript/leaflet
# What the binary carries: migrations in order, the functions, views and triggers
# (re-applied by every `migrate`, in name order), the seed data it loads, the
# contract (YAML, its JSON bundle, the /docs page and its script, both made at
# build time with the Redocly CLI under build/tools), the generator of `gen-data`,
# the pages of web/ and Leaflet.
DOCS := build/openapi.json build/docs/docs.html build/docs/redoc.js
EMBEDDED := $(sort $(wildcard db/migrations/*.sql)) $(sort $(wildcard db/functions/*.sql)) \
            db/seeds/france-services-32-gers.csv db/seeds/communes-32-gers.geojson \
            openapi/openapi.yaml db/gen/gen_national.sql $(DOCS) \
            $(sort $(wildcard web/*.html web/*.js web/*.css web/*.svg)) $(LEAFLET_DIR)/leaflet.min.js $(LEAFLET_DIR)/leaflet.css

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 600
BIN := $(OUT)/inclusion-api
UNIT_BIN := $(OUT)/tests/unit
INTEGRATION_BIN := $(OUT)/tests/integration
FAULTS_BIN := $(OUT)/tests/faults

# The private clusters: one for `make run`, one for the tests, never the same.
DEV_PG_DIR ?= var/pg-dev
DEV_PG_PORT ?= 54320
TEST_PG_DIR ?= var/pg-test
TEST_PG_PORT ?= 54321
TEST_DATABASE_URL := postgresql://inclusion:inclusion@127.0.0.1:$(TEST_PG_PORT)/inclusion
DEMO_SECRET := demo-secret-for-local-development-only-0123456789

.PHONY: all binaries run stop test unit integration lint deps format bench clean fuzz fuzzers stress scale \
        valgrind
all: $(BIN)
binaries: $(BIN) $(UNIT_BIN) $(INTEGRATION_BIN) $(FAULTS_BIN)

# The contract's JSON bundle (the linter writes it) and the /docs page.
build/openapi.json: openapi/openapi.yaml openapi/redocly.yaml tests/lint-openapi.sh
	tests/lint-openapi.sh openapi/openapi.yaml

build/docs/docs.html: build/openapi.json openapi/build-docs.sh openapi/docs-split.mjs
	openapi/build-docs.sh build/docs

build/docs/redoc.js: build/docs/docs.html
	@test -f $@ || openapi/build-docs.sh build/docs

build/gen/embedded.c: api/core/embed.sh $(EMBEDDED)
	@mkdir -p $(@D)
	api/core/embed.sh $@ $(EMBEDDED)

$(OUT)/obj/embedded.o: build/gen/embedded.c api/core/embedded.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(INC_core) -Iapi/core -c -o $@ $<

$(OUT)/obj/%.o: api/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(call layer_flags,$*) -c -o $@ $<

$(OUT)/tests/obj/%.o: tests/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(INC_top) -Itests -c -o $@ $<

$(OUT)/libapi.a: $(API_OBJ)
	$(AR) rcs $@ $^

$(BIN): $(MAIN_OBJ) $(OUT)/libapi.a
	@echo "  LD      $@"
	@$(CC) $(OPT) -o $@ $^ $(LDLIBS)

$(UNIT_BIN): $(UNIT_SRC:tests/%.c=$(OUT)/tests/obj/%.o) $(SUPPORT_OBJ) $(OUT)/libapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(OPT) -o $@ $^ $(LDLIBS) $(TEST_LDLIBS)

$(INTEGRATION_BIN): $(INTEGRATION_SRC:tests/%.c=$(OUT)/tests/obj/%.o) $(SUPPORT_OBJ) $(OUT)/libapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(OPT) -o $@ $^ $(LDLIBS) $(TEST_LDLIBS)

$(FAULTS_BIN): $(FAULTS_SRC:tests/%.c=$(OUT)/tests/obj/%.o) $(SUPPORT_OBJ) $(OUT)/libapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(OPT) -o $@ $^ $(LDLIBS) $(TEST_LDLIBS)

# The fuzzers: each harness linked with libFuzzer and the instrumented library.
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(OUT)/libapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(INC_top) -fsanitize=fuzzer -Itests -o $@ $^ $(LDLIBS)

fuzzers:
	@$(MAKE) --no-print-directory VARIANT=fuzz $(FUZZ_BINS)

fuzz: deps fuzzers
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

stress: deps lint
	@$(MAKE) --no-print-directory binaries
	@$(MAKE) --no-print-directory VARIANT=asan binaries
	@$(MAKE) --no-print-directory fuzzers
	@db/cluster.sh start $(TEST_PG_DIR) $(TEST_PG_PORT)
	@TEST_DATABASE_URL=$(TEST_DATABASE_URL) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/stress.sh $(FUZZ_BINS); \
	  rc=$$?; db/cluster.sh stop $(TEST_PG_DIR) $(TEST_PG_PORT); exit $$rc
	@$(MAKE) --no-print-directory valgrind

valgrind: deps
	@VERBOSE=$(VERBOSE) tests/install-deps.sh valgrind
	@$(MAKE) --no-print-directory binaries
	@db/cluster.sh start $(TEST_PG_DIR) $(TEST_PG_PORT)
	@TEST_DATABASE_URL=$(TEST_DATABASE_URL) tests/valgrind/run.sh build; \
	  rc=$$?; db/cluster.sh stop $(TEST_PG_DIR) $(TEST_PG_PORT); exit $$rc

deps:
	@VERBOSE=$(VERBOSE) tests/install-deps.sh $(DEB_PACKAGES)

run: deps
	@$(MAKE) --no-print-directory all
	@db/cluster.sh start $(DEV_PG_DIR) $(DEV_PG_PORT)
	@DEV_PG_DIR=$(DEV_PG_DIR) DEV_PG_PORT=$(DEV_PG_PORT) JWT_SECRET=$${JWT_SECRET:-$(DEMO_SECRET)} \
	  db/run.sh $(BIN)

# Every C file as make format leaves it (clang-format 14, .clang-format).
C_FILES = $(shell find api tests -name '*.[ch]' | sort)

# SIGTERM to db/run.sh: it stops the server, then the cluster, and removes its pid file.
stop:
	@pidfile=$(DEV_PG_DIR).pid; \
	if [ -f $$pidfile ] && kill -TERM $$(cat $$pidfile) 2>/dev/null; then \
	  while kill -0 $$(cat $$pidfile 2>/dev/null) 2>/dev/null; do sleep 0.2; done; echo "stopped"; \
	else db/cluster.sh stop $(DEV_PG_DIR) $(DEV_PG_PORT); rm -f $$pidfile; echo "nothing was running"; fi

lint: deps
	@mkdir -p build; clang-format --dry-run --Werror $(C_FILES) 2>&1 | grep -o '^[^:]*\.[ch]' | sort -u > build/format-drift.txt || true; \
	  if [ -s build/format-drift.txt ]; then \
	    echo "clang-format drift (run make format):"; cat build/format-drift.txt; exit 1; fi
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --std=c11 --suppress=unknownMacro -Iapi/core -Iapi/formats -Iapi/resources \
	  -Iapi/jobs -Itests api tests
	tests/lint-sql.sh
	tests/lint-openapi.sh openapi/openapi.yaml

unit: deps
	@$(MAKE) --no-print-directory binaries
	$(UNIT_BIN)

test: deps lint
	@$(MAKE) --no-print-directory binaries
	@$(MAKE) --no-print-directory VARIANT=asan binaries
	@$(MAKE) --no-print-directory fuzzers
	tests/fuzz/run.sh 3 $(FUZZ_BINS)
	@db/cluster.sh start $(TEST_PG_DIR) $(TEST_PG_PORT)
	@TEST_PG_DIR=$(TEST_PG_DIR) TEST_PG_PORT=$(TEST_PG_PORT) TEST_DATABASE_URL=$(TEST_DATABASE_URL) \
	  tests/run.sh build build/asan; rc=$$?; db/cluster.sh stop $(TEST_PG_DIR) $(TEST_PG_PORT); exit $$rc

bench: deps
	@$(MAKE) --no-print-directory all
	@db/cluster.sh start $(DEV_PG_DIR) $(DEV_PG_PORT)
	@DEV_PG_DIR=$(DEV_PG_DIR) DEV_PG_PORT=$(DEV_PG_PORT) tests/bench.sh $(BIN)

# What make scale needs besides DEB_PACKAGES: the load balancer and the load generator.
SCALE_PACKAGES := haproxy wrk
SCALE_SECONDS ?= 40

scale: deps
	@VERBOSE=$(VERBOSE) tests/install-deps.sh $(SCALE_PACKAGES)
	@$(MAKE) --no-print-directory all
	SCALE_SECONDS=$(SCALE_SECONDS) timeout 600 tests/scale/run.sh $(BIN)

format:
	clang-format -i $(C_FILES)

clean:
	rm -rf build

-include $(shell find $(OUT)/obj $(OUT)/tests/obj -name '*.d' 2>/dev/null)
