extension/common/runtime.o: extension/common/runtime.cpp \
 extension/common/runtime.hpp extension/common/pure.hpp
extension/common/runtime.hpp:
extension/common/pure.hpp:
