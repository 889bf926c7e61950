# Fuzzing (included by the Makefile). Each test/fuzz/NAME_fuzz.cpp is a libFuzzer target over pure
# code, built with clang and the address and undefined-behaviour sanitizers. `make test` runs each
# briefly (test/run.sh, suite "fuzz"); `build/fuzz/NAME -max_total_time=600` runs one for longer.
comma := ,
FUZZ_CXX = clang++-14
FUZZ_FLAGS = -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Iextension -Isidecar/src
FUZZ_SOURCES = $(sort $(wildcard test/fuzz/*_fuzz.cpp))
FUZZ_TARGETS = $(patsubst test/fuzz/%_fuzz.cpp,build/fuzz/%,$(FUZZ_SOURCES))
FUZZ_LIB_OBJS = $(patsubst %.cpp,build/fuzz/obj/%.o,$(PURE_SOURCES) $(SIDECAR_PURE_SOURCES))

build/fuzz/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_FLAGS)) -MMD -MP $(RENDER_CFLAGS) -c -o $@ $<

build/fuzz/%: test/fuzz/%_fuzz.cpp $(wildcard test/fuzz/*.hpp) $(FUZZ_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_LIB_OBJS) -lxlsxwriter -lcrypto $(RENDER_LIBS)

fuzz: $(FUZZ_TARGETS)

-include $(FUZZ_LIB_OBJS:.o=.d)
