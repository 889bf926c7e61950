extension/common/version_pg.o: extension/common/version_pg.cpp \
 extension/common/boundary_pg.hpp extension/common/postgres.hpp \
 extension/common/error.hpp extension/common/convert_pg.hpp \
 build/revision.h
extension/common/boundary_pg.hpp:
extension/common/postgres.hpp:
extension/common/error.hpp:
extension/common/convert_pg.hpp:
build/revision.h:
