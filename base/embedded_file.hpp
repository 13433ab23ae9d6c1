#pragma once
// A file compiled into the binary by cmake/embed_files.cmake.

#include <span>
#include <string_view>

namespace rosterd::base {

struct embedded_file {
  std::string_view name;
  std::string_view data;
};

}  // namespace rosterd::base
