# Unit tests and the test-only module (included by the Makefile).

# ---- unit tests ---------------------------------------------------------------------------------
GTEST_LIBS = -lgtest -lgtest_main -pthread -lxlsxwriter -lcrypto $(RENDER_LIBS)
UNIT_SOURCES = $(sort $(wildcard test/unit/*.cpp))
UNIT_OBJS = $(patsubst %.cpp,build/unit/%.o,$(PURE_SOURCES) $(SIDECAR_PURE_SOURCES) $(CLI_PURE_SOURCES) $(UNIT_SOURCES))

# Unit-test objects are built without any PostgreSQL include path: a pure file that includes a
# PostgreSQL header fails to compile here.
build/unit/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(AR_CXXFLAGS) -g -O1 -I. -Iextension -Isidecar/src -Itest/unit $(RENDER_CFLAGS) -c -o $@ $<

build/unit_tests: $(UNIT_OBJS)
	$(CXX) -o $@ $^ $(GTEST_LIBS)

-include $(UNIT_OBJS:.o=.d)

# ---- the test-only module -------------------------------------------------------------------------
# Boundary probes, built for the tests (and make installcheck) and never installed. Everything of the
# extension but its composition root and version, so the probes bring their own _PG_init.
TEST_MODULE_SOURCES = $(sort $(wildcard test/module/*.cpp))
TEST_MODULE_OBJS = $(patsubst %.cpp,build/module/%.o,$(filter-out extension/autoreport_pg.cpp extension/common/version_pg.cpp,$(ALL_SOURCES)) $(TEST_MODULE_SOURCES))

build/module/%.o: %.cpp build/revision.h
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(PG_CPPFLAGS) -c -o $@ $<

build/autoreport_test.so: $(TEST_MODULE_OBJS)
	$(CXX) -shared -o $@ $^

-include $(TEST_MODULE_OBJS:.o=.d)
