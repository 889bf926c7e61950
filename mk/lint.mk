# Lint (included by the Makefile): formatting, cppcheck, the pure-file rule and the include layers.
OWN_CXX_FILES = $(sort $(wildcard extension/*.cpp extension/*/*.cpp extension/*/*.hpp sidecar/src/*.cpp sidecar/src/*.hpp cli/*.cpp cli/*.hpp \
	test/unit/*.cpp test/module/*.cpp test/module/*.hpp test/fuzz/*.cpp test/fuzz/*.hpp test/bench/*.cpp))

check-format:
	clang-format --dry-run -Werror $(OWN_CXX_FILES)

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --std=c++20 --language=c++ \
	  --inline-suppr --suppress=missingIncludeSystem --library=googletest -I. -Iextension -Isidecar/src $(filter %.cpp,$(OWN_CXX_FILES))

# Every pure file's last include is common/pure.hpp, which fails the build if PostgreSQL leaked in.
PURE_CHECK_FILES = $(PURE_SOURCES) $(filter-out %_pg.cpp,$(wildcard test/module/*.cpp))
check-pure:
	@bad=0; for f in $(PURE_CHECK_FILES); do \
	  last=$$(grep -E '^#include' $$f | tail -1); \
	  if [ "$$last" != '#include "common/pure.hpp"' ]; then echo "$$f: last include must be \"common/pure.hpp\""; bad=1; fi; \
	done; exit $$bad

# No include runs from a lower layer of extension/ to a higher one (scripts/check_layers.sh).
check-layers:
	@scripts/check_layers.sh

lint: check-format cppcheck check-pure check-layers

format:
	clang-format -i $(OWN_CXX_FILES)
