# The command-line client build/autoreport (included by the Makefile): libpq and nlohmann/json.
# Its pure parts (arguments, parameters and options to JSON, tables) are also in the unit tests.
CLI_SOURCES = $(sort $(wildcard cli/*.cpp))
CLI_OBJS = $(patsubst %.cpp,build/%.o,$(CLI_SOURCES))

build/cli/%.o: cli/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(STRICT_CXXFLAGS) -O2 -g -MMD -MP -I. -I$(PG_INCLUDEDIR) -DAUTOREPORT_VERSION='"$(EXTVERSION)"' -c -o $@ $<

build/autoreport: $(CLI_OBJS)
	$(CXX) -o $@ $^ -lpq

-include $(CLI_OBJS:.o=.d)

cli: build/autoreport

ifneq ($(wildcard $(PGXS)),)
# make install also puts the client in PostgreSQL's bindir (next to psql, as pg_repack does) and links
# it from /usr/local/bin so that it is on PATH; make uninstall removes both.
install: install-cli
uninstall: uninstall-cli
.PHONY: cli install-cli uninstall-cli

install-cli: build/autoreport
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) build/autoreport '$(DESTDIR)$(bindir)/autoreport'
	$(MKDIR_P) '$(DESTDIR)/usr/local/bin'
	ln -sf '$(bindir)/autoreport' '$(DESTDIR)/usr/local/bin/autoreport'

uninstall-cli:
	rm -f '$(DESTDIR)$(bindir)/autoreport'
	if [ -L '$(DESTDIR)/usr/local/bin/autoreport' ]; then rm -f '$(DESTDIR)/usr/local/bin/autoreport'; fi
endif
