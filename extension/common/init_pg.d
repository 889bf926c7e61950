extension/common/init_pg.o: extension/common/init_pg.cpp \
 extension/common/boundary_pg.hpp extension/common/postgres.hpp \
 extension/common/error.hpp extension/common/interrupts_pg.hpp \
 extension/common/progress_pg.hpp
extension/common/boundary_pg.hpp:
extension/common/postgres.hpp:
extension/common/error.hpp:
extension/common/interrupts_pg.hpp:
extension/common/progress_pg.hpp:
