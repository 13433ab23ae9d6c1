#include "base/failure.hpp"

#include <stdexcept>

namespace rosterd::base {

void throw_exception_from_error(const failure& f, const boost::source_location& /*loc*/) {
  throw std::system_error(f.code, f.detail);
}

std::string describe(const failure& f) {
  if (f.detail.empty()) {
    return f.code.message();
  }
  return f.detail;
}

std::ostream& operator<<(std::ostream& os, const failure& f) {
  return os << describe(f);
}

}  // namespace rosterd::base
