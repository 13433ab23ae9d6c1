#pragma once
// The default message templates, config/templates/*.mustache, compiled in by
// rosterd_embed_files (see CMakeLists.txt).

#include <span>

#include "base/embedded_file.hpp"

namespace rosterd::notify {

// The generated definition (cmake/embed_generate.cmake) names the type unqualified.
using base::embedded_file;

/// Every config/templates/*.mustache file, sorted by name. Static storage; never fails.
std::span<const base::embedded_file> embedded_templates();

}  // namespace rosterd::notify
