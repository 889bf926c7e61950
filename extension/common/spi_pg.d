extension/common/spi_pg.o: extension/common/spi_pg.cpp \
 extension/common/spi_pg.hpp extension/common/boundary_pg.hpp \
 extension/common/postgres.hpp extension/common/error.hpp
extension/common/spi_pg.hpp:
extension/common/boundary_pg.hpp:
extension/common/postgres.hpp:
extension/common/error.hpp:
