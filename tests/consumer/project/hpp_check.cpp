// The installed C++ header compiles on its own, warnings as errors.
#include <btopt/btopt.hpp>

extern "C" unsigned btopt_consumer_cpp_check(void);

extern "C" unsigned btopt_consumer_cpp_check(void)
{
    return static_cast<unsigned>(btopt_abi_version());
}
