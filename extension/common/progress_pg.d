extension/common/progress_pg.o: extension/common/progress_pg.cpp \
 extension/common/progress_pg.hpp extension/common/boundary_pg.hpp \
 extension/common/postgres.hpp extension/common/error.hpp \
 extension/common/convert_pg.hpp extension/common/runtime.hpp
extension/common/progress_pg.hpp:
extension/common/boundary_pg.hpp:
extension/common/postgres.hpp:
extension/common/error.hpp:
extension/common/convert_pg.hpp:
extension/common/runtime.hpp:
