# autoreport: PGXS build of the extension, plus the project's entry points.
#
#   make            build autoreport.so and the install script
#   make install    install into the PostgreSQL found by pg_config (and the client build/autoreport)
#   make deps       install the Debian 12 packages that build, test and demo need
#   make test       deps, build, install, then every suite; ends with "N passed, N failed"
#   make demo       deps, build, install, start a throwaway cluster with sample data
#   make stop       stop what make demo started
#   make bench      benchmarks, each printed as a ratio against a baseline measured in the same run
#   make installcheck  the pg_regress suite against a running server (see the README, Tests)
#   make lint       clang-format, cppcheck, the pure-file rule and the include layers (mk/lint.mk)
#   make format     apply clang-format

# PostgreSQL 15's own pg_config when it is installed (Debian's /usr/bin/pg_config picks the newest).
PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
EXTENSION  = autoreport
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" autoreport.control)

# The install script of the newest version is generated from the SQL sources of each capability, in
# this order (later files may use what earlier ones create). Upgrade scripts live in migrations/.
SQL_SOURCES = \
	extension/common/common.sql \
	extension/common/progress.sql \
	extension/audit/audit.sql \
	extension/reports/reports.sql \
	extension/reports/cache.sql \
	extension/reports/render.sql \
	extension/channels/channels.sql \
	extension/forecast/forecast.sql \
	extension/schedules/schedules.sql \
	extension/schedules/deliveries.sql \
	extension/views/views.sql \
	extension/analyze/analyze.sql

# Pure C++ files include no PostgreSQL header and are also compiled into the unit tests; glue files
# are named *_pg.cpp.
# extension/autoreport_pg.cpp is the composition root (_PG_init); each capability is a folder.
ALL_SOURCES  = $(sort $(wildcard extension/*.cpp extension/*/*.cpp))
GLUE_SOURCES = $(filter %_pg.cpp,$(ALL_SOURCES))
PURE_SOURCES = $(filter-out %_pg.cpp,$(ALL_SOURCES))
# The sidecar's own pure code (sidecar/src, no Boost.Beast or libpq): unit-tested and fuzzed too.
SIDECAR_PURE_SOURCES = sidecar/src/jwt.cpp sidecar/src/protocol.cpp sidecar/src/subscriptions.cpp sidecar/src/outbox.cpp sidecar/src/config.cpp sidecar/src/metrics.cpp sidecar/src/delivery_policy.cpp sidecar/src/delivery_message.cpp
# The command-line client's pure code (cli/, no libpq): arguments, parameters and options, tables.
CLI_PURE_SOURCES = cli/args.cpp cli/settings.cpp cli/table.cpp

MODULE_big = autoreport
OBJS       = $(ALL_SOURCES:.cpp=.o)
DATA_built = autoreport--$(EXTVERSION).sql
DATA       = $(wildcard migrations/autoreport--*--*.sql)
EXTRA_CLEAN = build $(ALL_SOURCES:.cpp=.d)

# The pg_regress suite (sql/NAME.sql, expected/NAME.out). `make installcheck` runs it against the
# running server PGHOST/PGPORT point at, which must preload autoreport and allow logical replication
# (test/preload.conf lists the settings); `make test` runs it on a temporary instance (test/run.sh).
REGRESS = version boundary progress reports report_params report_defaults report_expose report_presentation render cache cache_subscription audit audit_runs \
	audit_refused render_limits channels forecast forecast_progress forecast_cancel anomalies schedules_next_runs schedules deliveries alerts \
	views views_differential what_if explain index_health capture advise
# The boundary probes live in the test-only module build/autoreport_test.so, which is never installed.
REGRESS_OPTS = --dbname=regression --dlpath=$(CURDIR)/build

PG_INCLUDEDIR_SERVER := $(shell $(PG_CONFIG) --includedir-server 2>/dev/null)
# -isystem for PostgreSQL's headers: GCC then ignores the same directory given with -I by PGXS, and our
# strict warnings judge only our own code.
# cairo, pango and librsvg draw PDF pages and PNG charts (render/pdf.cpp, render/png.cpp); their
# headers as system headers, so our strict warnings judge only our own code.
RENDER_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags pangocairo librsvg-2.0 2>/dev/null))
RENDER_LIBS := $(shell pkg-config --libs pangocairo librsvg-2.0 2>/dev/null)
PG_CPPFLAGS = -isystem $(PG_INCLUDEDIR_SERVER) -Iextension -Ibuild $(RENDER_CFLAGS) \
	-DAUTOREPORT_VERSION='"$(EXTVERSION)"' \
	'-DPGDLLEXPORT=__attribute__((visibility("default")))'
# The strict flags every C++ file of ours is built with (the extension, tests, sidecar and tools).
STRICT_CXXFLAGS = -std=c++20 -Wall -Wextra -Werror
AR_CXXFLAGS = $(STRICT_CXXFLAGS) -fPIC -fvisibility=hidden -fvisibility-inlines-hidden -MMD -MP
PG_CXXFLAGS = $(AR_CXXFLAGS)
SHLIB_LINK  = -lstdc++ -lxlsxwriter $(RENDER_LIBS)

# No LLVM bitcode for JIT inlining: it would need clang to accept our C++20 and brings nothing here.
# (override, set before PGXS, wins over Makefile.global's with_llvm = yes)
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
# A fresh machine: only the targets that install what is missing can work yet.
all install:
	@echo "PostgreSQL 15 server development files are missing: run 'make deps' (or 'make test'/'make demo', which do)." >&2
	@exit 1
endif

-include $(ALL_SOURCES:.cpp=.d)

installcheck: build/autoreport_test.so

# The regression suite's file names, for test/run.sh.
print-regress:
	@echo $(REGRESS)

$(DATA_built): $(SQL_SOURCES) autoreport.control Makefile
	@{ echo '-- autoreport $(EXTVERSION). Generated by make from:'; \
	   for f in $(SQL_SOURCES); do echo "--   $$f"; done; \
	   echo '-- Edit those files, not this one.'; echo; \
	   printf '%s\n' '\echo Use "CREATE EXTENSION autoreport" to load this file. \quit'; \
	   for f in $(SQL_SOURCES); do echo; echo "-- ---- $$f"; cat $$f; done; } > $@.tmp && mv $@.tmp $@

# The git revision is written to build/revision.h only when it changes, so a rebuild is only caused by
# a new revision.
build/revision.h: FORCE
	@scripts/revision.sh $@
.PHONY: FORCE
FORCE:

extension/common/version_pg.o: build/revision.h

# Tests, fuzzing, the sidecar, the command-line client, benchmark tools and lint: one file each.
include mk/tests.mk mk/fuzz.mk mk/sidecar.mk mk/cli.mk mk/tools.mk mk/lint.mk

.PHONY: print-regress deps test unit fuzz sidecar demo stop bench lint format check-format cppcheck check-pure check-layers
deps:
	@scripts/deps.sh

unit: build/unit_tests
	build/unit_tests

test: deps
	$(MAKE) -j$(shell nproc) all build/unit_tests build/autoreport_test.so fuzz build/autoreport-sidecar build/sidecar-load build/autoreport
	$(MAKE) install
	@test/run.sh

demo: deps
	$(MAKE) -j$(shell nproc) all build/autoreport-sidecar build/autoreport
	$(MAKE) install
	@demo/demo.sh

stop:
	@demo/demo.sh stop

bench:
	@scripts/deps.sh bench
	$(MAKE) all build/m3-tool build/nab-tool
	$(MAKE) install
	@bench/run.sh
