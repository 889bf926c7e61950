extension/common/convert_pg.o: extension/common/convert_pg.cpp \
 extension/common/convert_pg.hpp extension/common/boundary_pg.hpp \
 extension/common/postgres.hpp extension/common/error.hpp
extension/common/convert_pg.hpp:
extension/common/boundary_pg.hpp:
extension/common/postgres.hpp:
extension/common/error.hpp:
