# Project code is built with a strict warning set; third-party headers are included as system
# headers by their imported targets, so these apply to our code only.
function(rosterd_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion -Wnon-virtual-dtor
                                           -Wold-style-cast)
endfunction()
