extension/common/memory_pg.o: extension/common/memory_pg.cpp \
 extension/common/memory_pg.hpp extension/common/boundary_pg.hpp \
 extension/common/postgres.hpp extension/common/error.hpp
extension/common/memory_pg.hpp:
extension/common/boundary_pg.hpp:
extension/common/postgres.hpp:
extension/common/error.hpp:
