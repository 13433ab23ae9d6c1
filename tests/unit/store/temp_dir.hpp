#pragma once
// The store tests' names for the shared test helpers (tests/support/process.hpp).

#include <filesystem>
#include <string>

#include "tests/support/process.hpp"

namespace rosterd::store::testing {

using temp_dir = rosterd::testing::temp_directory;

/// The whole file as bytes.
inline std::string read_bytes(const std::filesystem::path& path) {
  return rosterd::testing::read_file(path);
}

}  // namespace rosterd::store::testing
