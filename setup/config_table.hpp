#pragma once
// The effective configuration as a TOML table: what --print-config prints, and what reload
// reports compare to name the keys that changed. Internal to setup.

#include <toml++/toml.h>

#include "setup/config.hpp"

namespace rosterd::setup::detail {

/// Every key with its effective value, in the words the file uses; secrets by reference.
/// Unset optional keys are left out, so the table parses back as it is.
toml::table config_table(const config& c);

}  // namespace rosterd::setup::detail
