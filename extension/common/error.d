extension/common/error.o: extension/common/error.cpp \
 extension/common/error.hpp extension/common/pure.hpp
extension/common/error.hpp:
extension/common/pure.hpp:
