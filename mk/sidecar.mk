# The WebSocket sidecar and its load client (included by the Makefile).
SIDECAR_SOURCES = $(sort $(wildcard sidecar/src/*.cpp))
SIDECAR_OBJS = $(patsubst %.cpp,build/sidecar/%.o,$(SIDECAR_SOURCES)) build/sidecar/web_assets.o
PG_INCLUDEDIR := $(shell $(PG_CONFIG) --includedir 2>/dev/null)
# The dashboard (sidecar/web/*) is embedded in the binary.
SIDECAR_WEB_FILES = $(sort $(wildcard sidecar/web/*))

build/sidecar/web_assets.cpp: $(SIDECAR_WEB_FILES) $(wildcard sidecar/web) scripts/embed_files.sh
	@mkdir -p $(dir $@)
	scripts/embed_files.sh $@ sidecar/web

build/sidecar/web_assets.o: build/sidecar/web_assets.cpp sidecar/src/web_assets.hpp
	$(CXX) $(STRICT_CXXFLAGS) -O2 -Isidecar/src -c -o $@ $<

build/sidecar/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(STRICT_CXXFLAGS) -O2 -g -MMD -MP -Isidecar/src -I$(PG_INCLUDEDIR) -c -o $@ $<

build/autoreport-sidecar: $(SIDECAR_OBJS)
	$(CXX) -o $@ $^ -lpq -lcurl -lssl -lcrypto -pthread

-include $(SIDECAR_OBJS:.o=.d)

sidecar: build/autoreport-sidecar

# build/sidecar-load: the WebSocket load and exact-count client of bench/sidecar.sh and
# test/sidecar/load_test.sh (Boost.Beast and Boost.JSON header-only, libpq).
build/sidecar-load: test/bench/load_client.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(STRICT_CXXFLAGS) -O2 -I$(PG_INCLUDEDIR) -o $@ $< -lpq -pthread
