#pragma once
// The files in store/migrations/, compiled in by rosterd_embed_files (see CMakeLists.txt).

#include <span>

#include "base/embedded_file.hpp"

namespace rosterd::store {

// The generated definition (cmake/embed_generate.cmake) names the type unqualified.
using base::embedded_file;

/// Every store/migrations/*.sql file, sorted by name. Static storage; never fails.
std::span<const base::embedded_file> embedded_migrations();

}  // namespace rosterd::store
