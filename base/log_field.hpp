#pragma once
// Log values are written as key=value; a value from outside (a path, a header, an error text)
// must not be able to forge a second field or a second line.

#include <string>
#include <string_view>

namespace rosterd::base {

/// Returns `value` unchanged when it is a plain token, otherwise double-quoted with quotes,
/// backslashes and control characters escaped. Long values are cut at `max_size` bytes.
std::string log_field(std::string_view value, std::size_t max_size = 256);

}  // namespace rosterd::base
