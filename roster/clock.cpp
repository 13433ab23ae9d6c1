#include "roster/clock.hpp"

#include "base/random.hpp"

namespace rosterd::roster {

std::string new_id(std::string_view prefix) {
  std::string id(prefix);
  id += '_';
  id += base::random_hex(12);
  return id;
}

}  // namespace rosterd::roster
