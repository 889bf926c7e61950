extension/common/interrupts_pg.o: extension/common/interrupts_pg.cpp \
 extension/common/boundary_pg.hpp extension/common/postgres.hpp \
 extension/common/error.hpp extension/common/interrupts_pg.hpp \
 extension/common/runtime.hpp
extension/common/boundary_pg.hpp:
extension/common/postgres.hpp:
extension/common/error.hpp:
extension/common/interrupts_pg.hpp:
extension/common/runtime.hpp:
