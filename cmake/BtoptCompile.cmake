# Warnings and sanitizers shared by every target of the project.
function(btopt_compile_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    $<$<COMPILE_LANGUAGE:CXX>:-Wconversion>
    # g++ 12 reports impossible sizes inside boost::container::small_vector's
    # memmove after inlining (a known false positive of this warning).
    $<$<COMPILE_LANGUAGE:CXX>:-Wno-stringop-overread>
    # g++ 12 at -O3 also reports overlapping memcpy inside std::string (GCC bug 105329).
    $<$<COMPILE_LANGUAGE:CXX>:-Wno-restrict>
    $<$<BOOL:${BTOPT_WARNINGS_AS_ERRORS}>:-Werror>)
endfunction()

if(BTOPT_SANITIZE)
  add_compile_options(-fsanitize=${BTOPT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${BTOPT_SANITIZE})
endif()
