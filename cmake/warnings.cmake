# Project code is built with a strict warning set; third-party headers are included as system
# headers by their imported targets, so these apply to our code only.
#
# -Werror=switch: a switch over an enum without a default must name every enumerator. The
# mappings from error codes to messages, names and HTTP problems are written that way, so a
# new error code does not build until each of them says what it means.
function(rosterd_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion -Wnon-virtual-dtor
                                           -Wold-style-cast -Werror=switch)
endfunction()
