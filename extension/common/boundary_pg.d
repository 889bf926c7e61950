extension/common/boundary_pg.o: extension/common/boundary_pg.cpp \
 extension/common/boundary_pg.hpp extension/common/postgres.hpp \
 extension/common/error.hpp
extension/common/boundary_pg.hpp:
extension/common/postgres.hpp:
extension/common/error.hpp:
