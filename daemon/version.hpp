#pragma once

namespace rosterd::daemon {

/// The release version, from CMake's project(VERSION).
extern const char* const version;

}  // namespace rosterd::daemon
